import { guardSwap } from './signal-guard';

describe('guardSwap: SIGINT/SIGTERM during a swap', () => {
  it('aborts the swap, lets it roll back, then delivers the signal again', async () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    const before = process.listenerCount('SIGTERM');
    const events: string[] = [];
    try {
      await guardSwap(undefined, async (signal) => {
        expect(process.listenerCount('SIGTERM')).toBe(before + 1);
        process.emit('SIGTERM', 'SIGTERM');
        expect(signal.aborted).toBe(true);
        expect(kill).not.toHaveBeenCalled(); // not before the swap settled
        events.push('rolled back');
      });
      events.push('returned');
      expect(kill).toHaveBeenCalledWith(process.pid, 'SIGTERM');
      expect(process.listenerCount('SIGTERM')).toBe(before);
      expect(events).toEqual(['rolled back', 'returned']);
    } finally {
      kill.mockRestore();
    }
  });

  it('without a signal nothing is re-delivered and the listeners go', async () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      await expect(guardSwap(undefined, async () => 7)).resolves.toBe(7);
      expect(kill).not.toHaveBeenCalled();
    } finally {
      kill.mockRestore();
    }
  });
});
