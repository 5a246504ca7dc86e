import { type HolderRecord, describeHolder, formatProcessTag, makeToken, parseHolderRecord, parseToken, recordFromToken, serializeHolderRecord, toHolderInfo } from './holder-info';

const identity = { hostKey: '0123456789ab', pid: 4321, pidStart: '987654' };

describe('hold tokens', () => {
  it('round-trips the identity and is unique per hold', () => {
    const token = makeToken(identity);
    expect(token.startsWith(`${formatProcessTag(identity)}~`)).toBe(true);
    expect(parseToken(token)).toEqual(identity);
    expect(makeToken(identity)).not.toBe(token);
  });

  it('parses tmp/ names that carry a suffix after the token', () => {
    expect(parseToken(`${makeToken(identity)}.trash`)).toEqual(identity);
  });

  it("encodes an unknown start time as '0' and reads it back as ''", () => {
    expect(parseToken(makeToken({ ...identity, pidStart: '' }))).toEqual({ ...identity, pidStart: '' });
  });

  it.each(['', 'writer', 'abc~12~3', 'XYZ~12~3~ab', 'abc~0~3~ab', 'abc~-1~3~ab', 'abc~12~x~ab', '../abc~12~3~ab'])('rejects %j', (name) => {
    expect(parseToken(name)).toBeUndefined();
  });
});

describe('holder records', () => {
  const token = makeToken(identity);
  const record: HolderRecord = { ...identity, token, host: 'vm', mode: 'exclusive', since: 1_700_000_000_000, owner: 'numpy', description: 'pip install numpy' };

  it('round-trips through the holder file', () => {
    expect(parseHolderRecord(serializeHolderRecord(record), token)).toEqual(record);
  });

  it('refuses malformed files and files of another hold', () => {
    expect(parseHolderRecord('', token)).toBeUndefined();
    expect(parseHolderRecord('{"token":', token)).toBeUndefined();
    expect(parseHolderRecord(serializeHolderRecord({ ...record, mode: 'weird' as never }), token)).toBeUndefined();
    expect(parseHolderRecord(serializeHolderRecord(record), makeToken(identity))).toBeUndefined();
  });

  it('falls back to what the token says', () => {
    expect(recordFromToken(token, 'shared', () => 'vm')).toEqual({ ...identity, token, host: 'vm', mode: 'shared', since: Number.NaN });
  });

  it('describes a holder in one line with package, mode, pid, host and since', () => {
    expect(describeHolder(toHolderInfo(record), record.since + 2500)).toBe(
      'exclusive hold by numpy (pip install numpy), pid 4321 on vm, since 2023-11-14T22:13:20.000Z (2.5 s ago)',
    );
    expect(describeHolder({ host: 'vm', pid: 1, mode: 'shared', since: Number.NaN })).toBe('shared hold, pid 1 on vm, since an unknown time');
  });

  it('keeps internal identity fields out of the public view', () => {
    expect(toHolderInfo(record)).toEqual({ host: 'vm', pid: 4321, mode: 'exclusive', since: record.since, owner: 'numpy', description: 'pip install numpy' });
  });
});
