import { describe, expect, it } from 'vitest';
import { attachmentDisposition, sanitizeFileName, withFittingExtension } from './file-name.js';

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['dir/sub/', 'file'],
    ['..', 'file'],
    ['.', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    ['  spaced.txt  ', 'spaced.txt'],
    ['tab\there\u0000.txt', 'tabhere.txt'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    // U+202E (right-to-left override) would show "invoice‮fdp.exe" as "invoiceexe.pdf".
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['e\u0301t\u00e9.txt', '\u00e9t\u00e9.txt'], // NFC
  ])('%j becomes %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it('keeps at most 255 bytes of UTF-8, cutting the stem on a character boundary', () => {
    const name = sanitizeFileName(`${'é'.repeat(200)}.txt`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name.endsWith('é.txt')).toBe(true);
    expect(name).not.toContain('\uFFFD');
    expect(sanitizeFileName('a'.repeat(300))).toBe('a'.repeat(255));
  });
});

describe('withFittingExtension', () => {
  it.each([
    ['photo.png', 'png', 'photo.png'],
    ['photo.JPEG', 'jpg', 'photo.JPEG'],
    ['page.html', 'png', 'page.html.png'],
    ['noextension', 'pdf', 'noextension.pdf'],
    ['notes.md', 'txt', 'notes.md'],
    ['data.csv', 'txt', 'data.csv'],
    ['run.js', 'txt', 'run.js.txt'],
    ['passwd', 'txt', 'passwd.txt'],
    ['.bashrc', 'txt', '.bashrc.txt'],
  ])('%s typed as %s is %s', (name, extension, expected) => {
    expect(withFittingExtension(name, extension)).toBe(expected);
  });

  it('stays within 255 bytes when it adds an extension', () => {
    const name = withFittingExtension('a'.repeat(255), 'png');
    expect(name).toBe(`${'a'.repeat(251)}.png`);
  });
});

describe('attachmentDisposition', () => {
  it('gives an ASCII fallback and the exact name per RFC 5987', () => {
    expect(attachmentDisposition('plain.txt')).toBe(
      `attachment; filename="plain.txt"; filename*=UTF-8''plain.txt`,
    );
    expect(attachmentDisposition("naïve 'quote' (1)*!.pdf")).toBe(
      `attachment; filename="naive 'quote' (1)*!.pdf"; filename*=UTF-8''na%C3%AFve%20%27quote%27%20%281%29%2A%21.pdf`,
    );
  });

  it('keeps quotes, backslashes and percent signs out of the quoted fallback', () => {
    expect(attachmentDisposition('a"b\\c%41.txt')).toBe(
      `attachment; filename="a_b_c_41.txt"; filename*=UTF-8''a%22b%5Cc%2541.txt`,
    );
  });

  it('falls back to "file" when nothing of the name is ASCII', () => {
    expect(attachmentDisposition('日本')).toBe(
      `attachment; filename="file"; filename*=UTF-8''%E6%97%A5%E6%9C%AC`,
    );
  });
});
