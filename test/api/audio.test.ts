import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { receiveFirstFile } from '../../src/api/multipart-file.js';
import { testDialect } from '../helpers/env.js';
import { LOCAL, testApi } from './helpers.js';

const upload = (name: string, content = 'ID3 audio', field = 'file') => {
  const form = new FormData();
  form.append(field, new Blob([Buffer.from(content)]), name);
  return form;
};

describe('audio upload, list, delete', () => {
  const t = testApi();
  const audioDir = () => join(t.dir, 'audio');

  it('stores the first file whatever the field name and answers the absolute wav path', async () => {
    const form = new FormData();
    form.append('comment', 'not a file');
    form.append('upload', new Blob([Buffer.from('first')]), 'hello.mp3');
    form.append('second', new Blob([Buffer.from('second')]), 'other.mp3');
    const r = await t.call('POST', '/audio', form);
    expect(r.json.result).toBe(true);
    expect(r.json.data.filename.startsWith(audioDir())).toBe(true);
    expect(readFileSync(r.json.data.filename, 'utf8')).toBe('first');
    expect((await t.call('GET', '/audio')).json.data.map((a: any) => a.name)).toEqual(['hello.mp3']);
    expect(readdirSync(join(audioDir(), 'tmp'))).toEqual([]); // temp upload removed
  });

  it('the same name replaces the stored file and keeps one row', async () => {
    const a = await t.call('POST', '/audio', upload('same.wav', 'v1'));
    const b = await t.call('POST', '/audio', upload('same.wav', 'v2'));
    expect(b.json.data.filename).toBe(a.json.data.filename);
    expect(readFileSync(b.json.data.filename, 'utf8')).toBe('v2');
    expect((await t.call('GET', '/audio')).json.data.filter((x: any) => x.name === 'same.wav')).toHaveLength(1);
  });

  it('a conversion failure answers the converter message and stores nothing', async () => {
    const before = (await t.call('GET', '/audio')).json.data;
    const r = await t.call('POST', '/audio', upload('noise.ogg', 'NOT AUDIO'));
    expect(r.json).toMatchObject({ result: false, messages: ['ffmpeg: Invalid data found when processing input'] });
    expect((await t.call('GET', '/audio')).json.data).toEqual(before);
    expect(readdirSync(join(audioDir(), 'tmp'))).toEqual([]);
  });

  it('no file / empty file', async () => {
    const form = new FormData();
    form.append('x', 'y');
    expect((await t.call('POST', '/audio', form)).json).toMatchObject({ result: false, messages: ['error upload file: file is empty'] });
    expect((await t.call('POST', '/audio', upload('empty.mp3', ''))).json).toMatchObject({ result: false, messages: ['error upload file: file is empty'] });
    expect((await t.call('POST', '/audio', 'not multipart')).json.result).toBe(false);
  });

  it('a form cut off after the file bytes is refused, says why, and leaves no file behind', async () => {
    const B = 'b0und';
    const body = `--${B}\r\nContent-Disposition: form-data; name="file"; filename="cut.mp3"\r\n\r\n${'x'.repeat(200_000)}\r\n`;
    const r = await t.call('POST', '/audio', body, LOCAL, { 'content-type': `multipart/form-data; boundary=${B}` });
    expect(r.json).toMatchObject({ result: false, messages: ['error upload file: broken multipart/form-data body (Unexpected end of form)'] });
    expect(readdirSync(join(audioDir(), 'tmp'))).toEqual([]);
    expect((await t.call('GET', '/audio')).json.data.map((a: any) => a.name)).not.toContain('cut.mp3');
  });

  it('name tricks are refused with a message naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['../../etc/passwd.mp3', /path separators|\.\./],
      ['..\\evil.mp3', /path separators|\.\./],
      ['a..mp3', /"\.\."/],
      // a raw control character breaks the part's header itself: refused as a malformed header
      ['bad\u0001name.mp3', /control characters|Malformed part header/],
      ['x'.repeat(201) + '.mp3', /200 characters/],
      ['script.sh', /audio extension/],
      ['noextension', /audio extension/],
    ];
    for (const [name, msg] of cases) {
      const r = await t.call('POST', '/audio', upload(name));
      expect(r.json.result, name).toBe(false);
      expect(r.json.messages[0], name).toMatch(msg);
    }
    // DELETE with tricks in the path (percent-encoded separators) does nothing: the data dir's files stay
    // (the database file on SQLite; on PostgreSQL the database is elsewhere, so a file put there for the test)
    const kept = join(t.dir, testDialect() === 'sqlite' ? 'test.sqlite' : 'kept.txt');
    if (testDialect() === 'postgres') writeFileSync(kept, '');
    for (const p of ['/audio/..%2F..%2Fetc%2Fpasswd.mp3', '/audio/..%5Cx.mp3']) {
      const r = await t.call('DELETE', p);
      expect(r.json.result, p).toBe(false);
    }
    expect(existsSync(kept)).toBe(true);
  });

  it('DELETE removes every conversion and the row; idempotent; Cyrillic names work', async () => {
    const r = await t.call('POST', '/audio', upload('Привет мир.mp3'));
    const base = r.json.data.filename.replace(/\.wav$/, '');
    expect(existsSync(`${base}.mp3`)).toBe(true);
    const del = await t.call('DELETE', `/audio/${encodeURIComponent('Привет мир.mp3')}`);
    expect(del.json).toMatchObject({ result: true, data: [] });
    expect(existsSync(`${base}.wav`) || existsSync(`${base}.mp3`)).toBe(false);
    expect((await t.call('GET', '/audio')).json.data.map((a: any) => a.name)).not.toContain('Привет мир.mp3');
    expect((await t.call('DELETE', '/audio/never-uploaded.mp3')).json.result).toBe(true);
  });
});

describe('an upload the server cannot store', () => {
  const form = () => {
    const f = new FormData();
    f.append('file', new Blob([Buffer.alloc(2 * 1024 * 1024, 7)]), 'big.wav');
    return new Request('http://x/audio', { method: 'POST', body: f });
  };
  const opts = { checkName: () => null, maxBytes: 50 * 1024 * 1024 };

  it('answers at once with the reason when the temp file cannot be created', async () => {
    const r = await receiveFirstFile(form(), { ...opts, tempPath: () => Promise.reject(Object.assign(new Error('read-only'), { code: 'EROFS' })) });
    expect(r).toMatchObject({ ok: false, serverFault: true, message: 'error upload file: the server could not store it (EROFS)' });
  });

  it('answers at once with the reason when writing the temp file fails', async () => {
    const r = await receiveFirstFile(form(), { ...opts, tempPath: async () => join(tmpdir(), 'no-such-dir-autodialer', 'x.wav') });
    expect(r).toMatchObject({ ok: false, serverFault: true, message: 'error upload file: the server could not store it (ENOENT)' });
  });
});
