import * as XLSX from '@e965/xlsx';
import { readdirSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BASE, LOCAL, REMOTE, testApi } from './helpers.js';

type Aoa = (string | number | null)[][];

/** A real workbook written by the library the service reads with: BIFF8 .xls or .xlsx. */
const book = (rows: Aoa, bookType: 'biff8' | 'xlsx'): Buffer => {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'Clients');
  return XLSX.write(wb, { type: 'buffer', bookType, compression: true }) as Buffer;
};

/** 1C's Base64Строка: lines of 76 characters joined by CRLF. */
const base64For1C = (b: Buffer) => b.toString('base64').replace(/.{76}(?=.)/g, '$&\r\n');

/**
 * The body exactly as 1C's КоннекторHTTP writes it (ЗакодироватьФайлы): one part named after the file
 * (without its extension), filename = the file's name, Content-Type application/vnd.ms-excel, content = the
 * file in base64 wrapped with CRLF.
 */
function form1C(fileName: string, content: string, field = fileName.replace(/\.[^.]+$/, '')) {
  const boundary = '6f1c0d2a9b8e4c7d8a1b2c3d4e5f6a7b';
  const body =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${field}"; filename="${fileName}"\r\n` +
    `Content-Type: application/vnd.ms-excel\r\n\r\n` +
    `${content}\r\n--${boundary}--\r\n`;
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const ROWS: Aoa = [
  [79001234567, '+7 (900) 123-45-68'],
  ['79009876543', null, 0, '0', '  ', 74951112233],
  [79990000001, ...Array(25).fill(null), 79990000002], // the second phone sits in column AA: ignored
  [], // the first empty row ends the list
  [79110000000],
];
const EXPECTED = [
  { number: '79001234567', clientId: '1' },
  { number: '+7 (900) 123-45-68', clientId: '1' },
  { number: '79009876543', clientId: '2' },
  { number: '74951112233', clientId: '2' },
  { number: '79990000001', clientId: '3' },
];

/** A zip of the given entries (name → deflated data and the size to declare) for hostile .xlsx cases. */
function zip(entries: { name: string; data: Buffer; declaredSize: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const comp = deflateRawSync(e.data);
    const name = Buffer.from(e.name);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(8, 8);
    head.writeUInt32LE(comp.length, 18);
    head.writeUInt32LE(e.declaredSize, 22);
    head.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(comp.length, 20);
    cd.writeUInt32LE(e.declaredSize, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(head, name, comp);
    central.push(cd, name);
    offset += 30 + name.length + comp.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBytes, end]);
}

describe('POST /upload-xls', () => {
  const t = testApi();
  const post1C = (name: string, file: Buffer | string, field?: string) => {
    const f = form1C(name, typeof file === 'string' ? file : base64For1C(file), field);
    return t.call('POST', '/upload-xls', f.body, LOCAL, f.headers);
  };
  const postBinary = (name: string, file: Buffer) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file)]), name);
    return t.call('POST', '/upload-xls', form);
  };
  const refusal = (r: { status: number; json: any }, status: number, message: RegExp) => {
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ result: false, data: [] });
    expect(r.json.messages[0]).toMatch(message);
  };

  it('reads a BIFF8 .xls posted as 1C does (base64 wrapped with CRLF): a bare array of strings', async () => {
    const r = await post1C('Клиенты.xls', book(ROWS, 'biff8'));
    expect(r.status).toBe(200);
    expect(r.json).toEqual(EXPECTED);
  });

  it('reads an .xlsx posted as 1C does, also with the field named after the whole file name', async () => {
    const file = book(ROWS, 'xlsx');
    expect((await post1C('phones.xlsx', file)).json).toEqual(EXPECTED);
    expect((await post1C('phones.xlsx', file, 'phones.xlsx')).json).toEqual(EXPECTED);
  });

  it('accepts the file as raw binary too (curl -F), and as the whole body', async () => {
    for (const type of ['biff8', 'xlsx'] as const) {
      const file = book(ROWS, type);
      expect((await postBinary(`list.${type === 'biff8' ? 'xls' : 'xlsx'}`, file)).json, type).toEqual(EXPECTED);
      const res = await t.app.request(`${BASE}/upload-xls`, { method: 'POST', body: new Uint8Array(file), headers: { 'content-type': 'application/vnd.ms-excel' } }, LOCAL);
      expect(await res.json(), type).toEqual(EXPECTED);
    }
  });

  it('an empty first row answers []; clientId is the row number', async () => {
    expect((await post1C('a.xlsx', book([[], [79001234567]], 'xlsx'))).json).toEqual([]);
    const many = Array.from({ length: 12 }, (_, i) => [79000000000 + i]);
    const r = await post1C('b.xls', book(many, 'biff8'));
    expect(r.json).toHaveLength(12);
    expect(r.json[11]).toEqual({ number: '79000000011', clientId: '12' });
  });

  it('huge declared sheet dimensions and a cell far away cost nothing and change nothing', async () => {
    // Patched into the XML by hand: writing such a sheet with the library would walk all 17 billion cells.
    const cfb = XLSX.CFB.read(book([[79001234567]], 'xlsx'), { type: 'buffer' });
    const entry = cfb.FileIndex[cfb.FullPaths.findIndex((p: string) => p.endsWith('xl/worksheets/sheet1.xml'))];
    const xml = Buffer.from(entry.content).toString('utf8');
    entry.content = Buffer.from(
      xml
        .replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:XFD1048576"/>')
        .replace('</sheetData>', '<row r="1048576"><c r="XFD1048576"><v>79000000000</v></c></row></sheetData>'),
    );
    const file = Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer', fileType: 'zip', compression: true }));
    const started = Date.now();
    const r = await post1C('far.xlsx', file);
    expect(r.json).toEqual([{ number: '79001234567', clientId: '1' }]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses what is not a spreadsheet, broken, empty or missing, with 400 naming the problem', async () => {
    refusal(await post1C('notes.xls', Buffer.from('just some text, not a workbook')), 400, /not a spreadsheet/);
    refusal(await postBinary('notes.xlsx', Buffer.from('PNG? no: \x89PNG\r\n')), 400, /not a spreadsheet/);
    refusal(await post1C('cut.xlsx', book(ROWS, 'xlsx').subarray(0, 300)), 400, /broken \.xlsx/);
    refusal(await post1C('cut.xls', book(ROWS, 'biff8').subarray(0, 600)), 400, /broken spreadsheet/);
    const word = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(2000, 7)]);
    refusal(await postBinary('fake.xls', word), 400, /broken spreadsheet/);
    refusal(await post1C('half.xls', base64For1C(book(ROWS, 'biff8')).slice(0, 101)), 400, /truncated|broken/);
    refusal(await post1C('empty.xls', ''), 400, /empty/);
    const noFile = new FormData();
    noFile.append('comment', '');
    refusal(await t.call('POST', '/upload-xls', noFile), 400, /no file/);
  });

  it('refuses a zip bomb and a forged unpacked size with 413, before the parser sees them', async () => {
    const bomb = zip([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(64 * 1024 * 1024), declaredSize: 1000 }]);
    expect(bomb.length).toBeLessThan(200_000);
    refusal(await post1C('bomb.xlsx', bomb), 413, /unpacks to more than/);
    const forged = zip([{ name: '[Content_Types].xml', data: Buffer.from('<x/>'), declaredSize: 0xfffffff0 }]);
    refusal(await postBinary('forged.xlsx', forged), 413, /unpacks to more than/);
    const junk = zip([{ name: 'a.txt', data: Buffer.from('hello'), declaredSize: 5 }]);
    refusal(await postBinary('junk.xlsx', junk), 400, /broken spreadsheet/);
  });

  it('refuses a body over the cap with 413, declared or streamed, and leaves no file behind', async () => {
    const before = readdirSync(t.dir, { recursive: true });
    const big = 'A'.repeat(8 * 1024 * 1024 + 10);
    refusal(await t.call('POST', '/upload-xls', big, LOCAL, { 'content-type': 'application/octet-stream' }), 413, /larger than the limit of 8388608 bytes/);
    const f = form1C('big.xls', big);
    refusal(await t.call('POST', '/upload-xls', f.body, LOCAL, { ...f.headers, 'content-length': String(f.body.length) }), 413, /larger than the limit/);
    expect(readdirSync(t.dir, { recursive: true })).toEqual(before);
  });

  it('refuses more rows than the cap instead of cutting the list short', async () => {
    const rows = Array.from({ length: 50_001 }, (_, i) => [79000000000 + i]);
    refusal(await postBinary('huge.xlsx', book(rows, 'xlsx')), 413, /more than 50000 rows/);
  }, 30_000);

  it('damaged files never crash the service: each answer is the array or a 400/413 refusal', async () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const type of ['biff8', 'xlsx'] as const) {
      const good = book(ROWS, type);
      for (let i = 0; i < 6; i++) {
        const bad = Buffer.from(good);
        for (let k = 0; k < 20; k++) bad[8 + Math.floor(rand() * (bad.length - 8))] = Math.floor(rand() * 256);
        const r = await postBinary('fuzz', bad);
        expect([200, 400, 413], `${type} #${i}: ${r.text.slice(0, 200)}`).toContain(r.status);
        expect(Array.isArray(r.json) || r.json?.result === false).toBe(true);
      }
    }
  }, 60_000);

  it('needs authentication like every v1 route, and /openapi.json describes it', async () => {
    const r = await t.call('POST', '/upload-xls', form1C('a.xls', base64For1C(book(ROWS, 'biff8'))).body, REMOTE);
    expect(r.status).toBe(401);
    const doc = await t.call('GET', '/openapi.json');
    expect(doc.json.paths['/pbxcore/api/module-dialer/v1/upload-xls'].post.summary).toMatch(/clientId/);
  });
});
