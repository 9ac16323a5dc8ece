/** The module-form settings of the original: stored in the database, the environment giving the defaults. */
export { createSettingsReader, type SettingsOptions, type SettingsStore, type SettingsView } from './store.js';
export { envDefaults, parseChange, SECRET_KEYS, SETTING_KEYS, VALUE_SCHEMAS, type SettingKey, type Settings } from './schema.js';
