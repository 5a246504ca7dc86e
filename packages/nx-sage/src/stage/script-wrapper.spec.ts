import { BODY_MARKER, extractScriptBody, hasShebang, renderScriptWrapper, shellQuote } from './script-wrapper';

describe('script wrapper', () => {
  const text = renderScriptWrapper({
    body: 'cd src\nsdh_make',
    exports: { SAGE_LOCAL: "/tmp/it's here", PKG_NAME: 'foo-1.0' },
    sources: ['/x/sage-dist-helpers'],
    dir: '/build/foo-1.0',
    errexit: true,
  });

  it('exports quoted values, sources helpers, guards, cds, then the body', () => {
    expect(text.split('\n').slice(0, 1)).toEqual(['#!/usr/bin/env bash']);
    expect(text).toContain(`export SAGE_LOCAL='/tmp/it'\\''s here'`);
    expect(text).toMatch(/^source '\/x\/sage-dist-helpers' \|\|/m);
    expect(text).toMatch(/^sdh_guard \|\|/m);
    expect(text).toMatch(/^cd '\/build\/foo-1\.0' \|\|/m);
    expect(text).toMatch(new RegExp(`set -e\\n${BODY_MARKER}\\ncd src\\nsdh_make\\n$`));
  });

  it('gets the body back, including lines helpers appended', () => {
    expect(extractScriptBody(`${text}sdh_actually_pip_install_wheel foo\n`)).toBe('cd src\nsdh_make\nsdh_actually_pip_install_wheel foo\n');
    expect(extractScriptBody('plain\n')).toBe('plain\n');
  });

  it('has no set -e for Sage checkouts and a fallback directory for checks', () => {
    const check = renderScriptWrapper({ body: '', exports: {}, sources: [], dir: '/gone', fallbackDir: '/pkgs/foo', errexit: false });
    expect(check).not.toMatch(/set -e/);
    expect(check).toMatch(/cd '\/gone' 2>\/dev\/null \|\| cd '\/pkgs\/foo' \|\| exit 1/);
  });

  it('quotes for bash and detects shebangs', () => {
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote(`$(rm -rf /)`)).toBe(`'$(rm -rf /)'`);
    expect(hasShebang('#!/bin/sh\n')).toBe(true);
    expect(hasShebang('# comment\n')).toBe(false);
  });
});

describe("script wrapper of a configured checkout (sage-spkg's)", () => {
  it('exports SAGE_INST_LOCAL after sourcing the env files, before sdh_guard', () => {
    const text = renderScriptWrapper({ body: 'true', exports: { PKG_NAME: 'x-1' }, lateExports: { SAGE_INST_LOCAL: '/t' }, sources: ['/r/src/bin/sage-env'], dir: '/b', errexit: false });
    const at = (re: RegExp) => text.split('\n').findIndex((l) => re.test(l));
    expect(at(/^source '\/r\/src\/bin\/sage-env'/)).toBeLessThan(at(/^export SAGE_INST_LOCAL='\/t'$/));
    expect(at(/^export SAGE_INST_LOCAL/)).toBeLessThan(at(/^sdh_guard/));
  });
});
