import { z } from 'zod';
import { flagField, keep, intField, textField } from '../fields.js';

/** Request schema of POST /polling (also feeds /openapi.json). */

const ACTIONS = ['', 'answer', 'dial', 'playback', 'playback_record', 'restart', 'send_crm'] as const;

const optText = (max = 4000) => keep(textField(max));

export const PressBody = z.object({
  key: textField(20).pipe(z.string().trim().min(1, { error: 'is required' })),
  action: keep(z.enum(ACTIONS, { error: `must be one of ${ACTIONS.map((a) => `"${a}"`).join(', ')}` })).transform((v) => v ?? ''),
  value: optText(),
  valueOptions: optText(100),
  nextQuestion: optText(100),
  /** v1.35, playback_record: 1 = send the recording to speech recognition. */
  needRecognize: keep(flagField([0, 1])),
  /** v1.35, playback_record: the label stored with the recognised text and read back by confirmation questions. */
  recognizeLabel: optText(200),
  /** v1.35, send_crm: the spoken answer, `<result>` replaced by the CRM's data. */
  crmResponseTemplate: optText(),
});

export const QuestionBody = z.object({
  questionId: optText(100),
  questionText: optText(),
  questionFile: optText(1000),
  lang: optText(20),
  timeout: keep(intField(1, 600)),
  defPress: optText(20),
  type: keep(z.enum(['', 'confirmation'], { error: 'must be "" or "confirmation"' })),
  nextQuestion: optText(100),
  press: z.array(PressBody, { error: 'must be an array' }).nullish(),
});

export const PollingBody = z.object({
  crmId: optText(200),
  name: optText(1000),
  questions: z.array(QuestionBody, { error: 'must be an array of questions' }).nullish(),
});
