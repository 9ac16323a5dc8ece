import type { Db } from '../../src/db/client.js';

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
    type?: string;
    press: {
      key: string;
      action: string;
      value?: string;
      valueOptions?: string;
      nextQuestion?: string;
      needRecognize?: number;
      recognizeLabel?: string;
      crmResponseTemplate?: string;
    }[];
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
export function insertPolling(db: Db, def: PollingDef): Promise<number> {
  return db.tx(async (q) => {
    const crmId = `p-${Math.random().toString(36).slice(2)}`;
    const pollingId = (await q.value<number>('INSERT INTO pollings (crmId, name) VALUES (?, ?) RETURNING id', [crmId, def.name ?? '']))!;
    for (const [position, qn] of def.questions.entries()) {
      const questionId = (await q.value<number>(
        `INSERT INTO questions (pollingId, crmId, position, questionText, questionFile, lang, timeout, defPress, nextQuestion, type)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [
          pollingId,
          qn.questionId ?? String(position),
          position,
          qn.questionText ?? null,
          qn.questionFile ?? null,
          qn.lang ?? 'ru-RU',
          qn.timeout ?? 5,
          qn.defPress ?? null,
          qn.nextQuestion ?? null,
          qn.type ?? '',
        ],
      ))!;
      for (const a of qn.press) {
        await q.run(
          `INSERT INTO question_actions (questionId, pollingId, key, action, value, valueOptions, nextQuestion, needRecognize, recognizeLabel, crmResponseTemplate)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            questionId,
            pollingId,
            a.key,
            a.action,
            a.value ?? null,
            a.valueOptions ?? null,
            a.nextQuestion ?? null,
            a.needRecognize ?? 0,
            a.recognizeLabel ?? null,
            a.crmResponseTemplate ?? null,
          ],
        );
      }
    }
    return pollingId;
  });
}
