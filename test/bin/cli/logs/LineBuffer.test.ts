import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../../../../bin/cli/logs/LineBuffer.ts';

const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('LineBuffer', () => {
  it('hands over the lines of one turn together, in order, at the end of the turn', async () => {
    // Prepare
    const drained: string[][] = [];
    const buffer = new LineBuffer((lines) => drained.push(lines));

    // Act
    buffer.push('a\n');
    buffer.push('b\n');
    const duringTurn = drained.length;
    await endOfTurn();
    buffer.push('c\n');
    await endOfTurn();

    // Assess
    expect(duringTurn).toBe(0);
    expect(drained).toEqual([['a\n', 'b\n'], ['c\n']]);
  });

  it('hands over at once on flush and not again at the end of the turn', async () => {
    // Prepare
    const drained: string[][] = [];
    const buffer = new LineBuffer((lines) => drained.push(lines));
    buffer.push('a\n');

    // Act
    buffer.flush();
    buffer.flush();
    await endOfTurn();

    // Assess
    expect(drained).toEqual([['a\n']]);
  });

  it('hands over pending lines when the process exits, and leaves no exit listener behind', async () => {
    // Prepare
    const drained: string[][] = [];
    const buffer = new LineBuffer((lines) => drained.push(lines));
    const listenersBefore = process.listenerCount('exit');
    buffer.push('last words\n');
    const listenersWhilePending = process.listenerCount('exit');

    // Act
    process.emit('exit', 0);

    // Assess
    expect(drained).toEqual([['last words\n']]);
    expect(listenersWhilePending).toBe(listenersBefore + 1);
    expect(process.listenerCount('exit')).toBe(listenersBefore);
    await endOfTurn();
    expect(drained).toHaveLength(1);
  });
});
