/**
 * Latin letters spelled in Cyrillic, as ModuleAutoDialer v1.35 does before RHVoice: its Russian voices read a
 * Latin word letter by letter or not at all, so "Ivan, ваш заказ OK" is sent as "Иван, ваш заказ ОК".
 * Longest sequences first (shch before sh before s); the case of the first letter is kept.
 */
const PAIRS: Array<[string, string]> = [
  ['shch', 'щ'], ['sch', 'щ'], ['yo', 'ё'], ['zh', 'ж'], ['kh', 'х'], ['ts', 'ц'], ['ch', 'ч'], ['sh', 'ш'],
  ['yu', 'ю'], ['ya', 'я'], ['ye', 'е'], ['ph', 'ф'], ['th', 'т'],
  ['a', 'а'], ['b', 'б'], ['c', 'к'], ['d', 'д'], ['e', 'е'], ['f', 'ф'], ['g', 'г'], ['h', 'х'], ['i', 'и'],
  ['j', 'дж'], ['k', 'к'], ['l', 'л'], ['m', 'м'], ['n', 'н'], ['o', 'о'], ['p', 'п'], ['q', 'к'], ['r', 'р'],
  ['s', 'с'], ['t', 'т'], ['u', 'у'], ['v', 'в'], ['w', 'в'], ['x', 'кс'], ['y', 'ы'], ['z', 'з'],
];
const MAP = new Map(PAIRS);
const PATTERN = new RegExp(PAIRS.map(([l]) => l).join('|'), 'gi');

export function latinToCyrillic(text: string): string {
  return text.replace(PATTERN, (m) => {
    const c = MAP.get(m.toLowerCase())!;
    if (m === m.toUpperCase() && m.length > 1) return c.toUpperCase(); // "SH" in an all-caps word
    return m[0] === m[0]!.toUpperCase() ? c[0]!.toUpperCase() + c.slice(1) : c;
  });
}
