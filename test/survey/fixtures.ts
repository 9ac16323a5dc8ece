import type { Db } from '../../src/db/client.js';
import { pollings, questionActions, questions } from '../../src/db/schema.js';

/** A polling in the shape of POST /polling's body. */
export interface PollingDef {
  name?: string;
  questions: {
    questionId?: string;
    questionText?: string;
    questionFile?: string;
    lang?: string;
    timeout?: number;
    defPress?: string;
    nextQuestion?: string;
    press: { key: string; action: string; value?: string; valueOptions?: string; nextQuestion?: string }[];
  }[];
}

/** The seed's example polling ("New polling"), verbatim. */
export const SEED_POLLING: PollingDef = {
  name: 'New polling',
  questions: [
    {
      questionId: '1',
      questionText:
        'Добрый день, у нас есть новый товар, для заказа товара нажмите 1, не интересует - нажмите 2, для отказа от подписке нажмите 3',
      press: [
        { key: '1', action: 'playback', value: '"Спасибо за выбор этого товара"', valueOptions: 'text' },
        { key: '3', action: 'playback', value: '"Спасибо за ваш ответ"', valueOptions: 'text' },
      ],
      nextQuestion: '',
    },
  ],
};

/** Stores a polling the way the API does (for tests that do not go through the API); returns its id. */
export function insertPolling(db: Db, def: PollingDef): number {
  return db.transaction((tx) => {
    const crmId = `p-${Math.random().toString(36).slice(2)}`;
    const p = tx.insert(pollings).values({ crmId, name: def.name ?? '' }).returning().get();
    def.questions.forEach((q, position) => {
      const row = tx
        .insert(questions)
        .values({
          pollingId: p.id,
          crmId: q.questionId ?? String(position),
          position,
          questionText: q.questionText ?? null,
          questionFile: q.questionFile ?? null,
          lang: q.lang ?? 'ru-RU',
          timeout: q.timeout ?? 5,
          defPress: q.defPress ?? null,
          nextQuestion: q.nextQuestion ?? null,
        })
        .returning()
        .get();
      for (const a of q.press) {
        tx.insert(questionActions)
          .values({
            questionId: row.id,
            pollingId: p.id,
            key: a.key,
            action: a.action,
            value: a.value ?? null,
            valueOptions: a.valueOptions ?? null,
            nextQuestion: a.nextQuestion ?? null,
          })
          .run();
      }
    });
    return p.id;
  });
}
