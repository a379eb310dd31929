import { describe, expect, it } from 'vitest';
import { DeliveryWindow } from '../../../lambdas/edge/DeliveryWindow.ts';

describe('DeliveryWindow', () => {
  it('admits new envelopes up to its limit per agent, each agent apart', () => {
    // Prepare
    const window = new DeliveryWindow(2);

    // Act
    const admitted = ['e1', 'e2', 'e3'].map((id) => window.admit('laptop', id, 10));
    const other = window.admit('desktop', 'e4', 10);

    // Assess
    expect(admitted).toEqual([true, true, false]);
    expect(other).toBe(true);
    expect(window.room('laptop')).toBe(0);
    expect(window.room('desktop')).toBe(1);
    expect(window.full()).toEqual({ agents: ['laptop'], holding: ['e1', 'e2'] });
  });

  it('refuses a new envelope while older ones wait, even once there is room: a new one must not overtake them', () => {
    // Prepare
    const window = new DeliveryWindow(1);
    window.admit('laptop', 'e1', 10);
    window.admit('laptop', 'e2', 10);

    // Act
    window.release('e1');
    const overtaking = window.admit('laptop', 'e3', 10);
    const waitingOne = window.take('laptop', 'e2', 10);
    window.release('e2');
    window.drained('laptop');
    const afterDrain = window.admit('laptop', 'e3', 10);

    // Assess
    expect(overtaking).toBe(false);
    expect(waitingOne).toBe(true);
    expect(afterDrain).toBe(true);
  });

  it('counts an envelope published again once: it keeps the place it holds', () => {
    // Prepare
    const window = new DeliveryWindow(1);
    window.admit('laptop', 'e1', 10);

    // Act
    const again = window.take('laptop', 'e1', 10);
    const another = window.take('laptop', 'e2', 10);

    // Assess
    expect(again).toBe(true);
    expect(another).toBe(false);
    expect(window.heldBy('laptop')).toEqual({ envelopes: 1, bytes: 10 });
  });

  it('frees a place on release and names its agent; releasing an envelope without one does nothing', () => {
    // Prepare
    const window = new DeliveryWindow(2);
    window.admit('laptop', 'e1', 10);

    // Act
    const agent = window.release('e1');
    const none = window.release('e1');

    // Assess
    expect(agent).toBe('laptop');
    expect(none).toBeUndefined();
    expect(window.holds('e1')).toBe(false);
    expect(window.room('laptop')).toBe(2);
    expect(window.full()).toEqual({ agents: [], holding: [] });
  });

  it('frees every place of an agent on reset, and no other agent’s', () => {
    // Prepare
    const window = new DeliveryWindow(2);
    window.admit('laptop', 'e1', 10);
    window.admit('laptop', 'e2', 10);
    window.admit('desktop', 'e3', 10);

    // Act
    window.reset('laptop');

    // Assess
    expect(window.room('laptop')).toBe(2);
    expect(window.holds('e1')).toBe(false);
    expect(window.holds('e3')).toBe(true);
    expect(window.release('e2')).toBeUndefined();
  });

  it('holds at most its bytes per agent, but always one envelope, whatever its size', () => {
    // Prepare
    const window = new DeliveryWindow(10, 100);

    // Act
    const huge = window.admit('laptop', 'e1', 1_000);
    const afterHuge = window.take('laptop', 'e2', 1);
    window.release('e1');
    const fits = [
      window.take('laptop', 'e3', 60),
      window.take('laptop', 'e4', 40),
      window.take('laptop', 'e5', 1),
    ];

    // Assess
    expect(huge).toBe(true);
    expect(afterHuge).toBe(false);
    expect(fits).toEqual([true, true, false]);
    expect(window.heldBy('laptop')).toEqual({ envelopes: 2, bytes: 100 });
    expect(window.room('laptop')).toBe(0);
    expect(window.full()).toEqual({ agents: ['laptop'], holding: ['e3', 'e4'] });
    window.release('e3');
    expect(window.room('laptop')).toBe(9);
  });

  it('tracks agents with envelopes waiting until drained', () => {
    // Prepare
    const window = new DeliveryWindow(3);

    // Act
    window.markWaiting('laptop');
    const waiting = window.hasWaiting('laptop');
    window.drained('laptop');

    // Assess
    expect(waiting).toBe(true);
    expect(window.hasWaiting('laptop')).toBe(false);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s envelopes', (limit) => {
    // Act / Assess
    expect(() => new DeliveryWindow(limit)).toThrow(/at least 1 envelope per agent/);
  });

  it.each([0, -1, Number.NaN])('refuses a limit of %s bytes', (maxBytes) => {
    // Act / Assess
    expect(() => new DeliveryWindow(1, maxBytes)).toThrow(/at least 1 byte/);
  });
});
