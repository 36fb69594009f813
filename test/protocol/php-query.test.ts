import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildQuery, parseQuery } from '../../src/protocol/php-query.ts';

describe('PHP-style query strings', () => {
  it('builds nested parameters the way http_build_query does', () => {
    const query = buildQuery({ fields: { TITLE: 'A & B', PHONE: [{ VALUE: '+1 555', VALUE_TYPE: 'WORK' }] }, select: ['ID'] });
    assert.equal(
      query,
      'fields%5BTITLE%5D=A+%26+B&fields%5BPHONE%5D%5B0%5D%5BVALUE%5D=%2B1+555&fields%5BPHONE%5D%5B0%5D%5BVALUE_TYPE%5D=WORK&select%5B0%5D=ID',
    );
  });

  it('skips nulls and writes booleans as 1 and 0', () => {
    assert.equal(buildQuery({ a: null, b: true, c: false, d: undefined }), 'b=1&c=0');
  });

  it('round-trips reserved characters, Cyrillic and emoji', () => {
    const value = 'a&b=c?d#e%f[g]h+i j Привет 🎉';
    const params = { fields: { TITLE: value, 'KEY[odd]': value }, list: [value, value] };
    assert.deepEqual(parseQuery(buildQuery(params)), {
      fields: { TITLE: value, 'KEY[odd': value }, // PHP stops a segment at the first ]
      list: [value, value],
    });
  });

  it('parses brackets, appends and 0..n-1 keys into lists like parse_str', () => {
    assert.deepEqual(parseQuery('select[]=ID&select[]=TITLE&filter[>ID]=5&a.b=1&order[ID]=ASC'), {
      select: ['ID', 'TITLE'],
      filter: { '>ID': '5' },
      a_b: '1',
      order: { ID: 'ASC' },
    });
    assert.deepEqual(parseQuery('fields[PHONE][0][VALUE]=112233&fields[PHONE][0][VALUE_TYPE]=WORK'), {
      fields: { PHONE: [{ VALUE: '112233', VALUE_TYPE: 'WORK' }] },
    });
  });

  it('leaves malformed escapes as they are instead of throwing', () => {
    assert.deepEqual(parseQuery('a=%E0%A4%A&b=%zz'), { a: '%E0%A4%A', b: '%zz' });
  });
});
