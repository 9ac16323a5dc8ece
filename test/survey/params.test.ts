import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { speakableText } from '../../src/tts/voice.js';
import { substituteParams } from '../../stasis/survey/params.js';

describe('per-number params in prompt text', () => {
  it('spells digit-only strings digit by digit and keeps words and JSON numbers as they are', () => {
    const text = '<NAME>: договор <CONTRACT>, сумма <SUM>, дней <DAYS>';
    expect(substituteParams(text, { NAME: 'Иван', CONTRACT: '4521', SUM: 'ДЕВЯТЬ', DAYS: 12 })).toBe('Иван: договор 4 5 2 1, сумма ДЕВЯТЬ, дней 12');
  });

  it('replaces every occurrence, and ignores keys that are not in the text or values that are objects', () => {
    expect(substituteParams('<A> и <A>', { A: 'x', B: 'y', C: { deep: 1 } })).toBe('x и x');
    expect(substituteParams('<C>', { C: { deep: 1 } })).toBe('<C>');
  });

  it('placeholders without a value are not spoken (markup is stripped before voicing)', () => {
    expect(speakableText(substituteParams('Здравствуйте, <NAME>!', {}))).toBe('Здравствуйте, !');
  });

  it('treats keys literally, whatever characters they contain', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !k.includes('>')), fc.stringMatching(/^[a-z]{1,5}$/), (key, value) => {
        expect(substituteParams(`[<${key}>]`, { [key]: value })).toBe(`[${value}]`);
      }),
    );
  });
});
