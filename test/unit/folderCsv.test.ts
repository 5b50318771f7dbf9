// The folder summary's CSV: a header and one row per file in run order, cells quoted as RFC 4180 says, and no
// cell that a spreadsheet would run as a formula.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, folderCsv, folderCsvName } from '../../src/extension/folderCsv';
import type { FolderSummary } from '../../src/shared/protocol';

const summary: FolderSummary = {
  id: 1,
  folder: 'photos',
  folderPath: '/data/photos',
  rows: [
    { file: 'a.jpg', key: 'k', status: 'ok', classLabel: 'cat', probability: 0.91, queries: 500, seconds: 12.345 },
    { file: 'sub/b, "best".wav', status: 'failed', error: 'b.wav: the file ends\ninside its header' },
    { file: '=HYPERLINK("x").png', status: 'cancelled' },
  ],
  done: 3,
  total: 3,
  state: 'cancelled',
};

describe('the folder summary as CSV', () => {
  test('has a header and one row per file, in the order they ran, with CRLF line ends', () => {
    const lines = folderCsv(summary).split('\r\n');
    assert.equal(lines[0], 'file,status,class,probability,queries,seconds,error');
    assert.equal(lines[1], 'a.jpg,ok,cat,0.91,500,12.35,');
    assert.equal(lines.at(-1), '', 'the file ends with a line break');
  });

  test('quotes cells with commas, quotes and line breaks, doubling the quotes', () => {
    const text = folderCsv(summary);
    assert.ok(text.includes('"sub/b, ""best"".wav",failed,,,,,"b.wav: the file ends\ninside its header"'), text);
  });

  test('writes a cell that starts like a formula as text, and leaves negative numbers alone', () => {
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('-0.5'), '-0.5');
    assert.ok(folderCsv(summary).includes(`"'=HYPERLINK(""x"").png",cancelled`));
  });

  test('offers a file name after the folder, without characters a file system refuses', () => {
    assert.equal(folderCsvName(summary), 'photos.dax-summary.csv');
    assert.equal(folderCsvName({ ...summary, folder: 'a:b' }), 'a_b.dax-summary.csv');
  });
});
