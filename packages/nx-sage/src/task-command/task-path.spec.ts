import { pathBeforeRunCommands } from './task-path';

describe('pathBeforeRunCommands', () => {
  const added = '/ws/node_modules/.bin:/node_modules/.bin:/usr/bin';
  it("removes exactly what nx:run-commands put in front of Nx's PATH", () => {
    expect(pathBeforeRunCommands(`${added}:/usr/local/bin:/usr/bin`, '/ws', '/usr/bin/node')).toBe('/usr/local/bin:/usr/bin');
    expect(pathBeforeRunCommands(added, '/ws', '/usr/bin/node')).toBe('');
  });
  it('leaves any other PATH alone (a task not started by run-commands, another cwd or node)', () => {
    expect(pathBeforeRunCommands('/usr/local/bin:/usr/bin', '/ws', '/usr/bin/node')).toBe('/usr/local/bin:/usr/bin');
    expect(pathBeforeRunCommands(`${added}:/x`, '/other', '/usr/bin/node')).toBe(`${added}:/x`);
    expect(pathBeforeRunCommands(undefined, '/ws', '/usr/bin/node')).toBeUndefined();
  });
});
