/** Speech recognition of survey recordings (playback_record with recognition on). */
export { createYandexRecognizer, type SttSettings, type YandexRecognizerOptions } from './yandex.js';
