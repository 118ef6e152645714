import { describe, expect, test } from 'vitest';
import { TimeHeap } from './heap.ts';

describe('TimeHeap', () => {
  test('pops items earliest first, whatever order they were pushed in', () => {
    const heap = new TimeHeap<{ time: number; id: string }>();
    const times = [50, 10, 40, 10, 30, 0, 20, 60, 5];
    times.forEach((time, i) => {
      heap.push({ time, id: `item-${i}` });
    });
    expect(heap.size).toBe(times.length);
    const popped: number[] = [];
    for (let item = heap.pop(); item; item = heap.pop()) popped.push(item.time);
    expect(popped).toEqual([...times].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
    expect(heap.pop()).toBeUndefined();
  });

  test('peek shows the earliest item without removing it', () => {
    const heap = new TimeHeap<{ time: number }>();
    expect(heap.peek()).toBeUndefined();
    heap.push({ time: 3 });
    heap.push({ time: 1 });
    heap.push({ time: 2 });
    expect(heap.peek()?.time).toBe(1);
    expect(heap.size).toBe(3);
  });

  test('stays ordered when pushes and pops interleave', () => {
    const heap = new TimeHeap<{ time: number }>();
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    let lastPopped = -Infinity;
    let now = 0;
    for (let i = 0; i < 5_000; i++) {
      // Like the emulator: new items are never due before the time already reached.
      heap.push({ time: now + (random() % 1_000) });
      if (i % 3 === 0) {
        const item = heap.pop();
        expect(item?.time).toBeGreaterThanOrEqual(lastPopped);
        lastPopped = item?.time ?? lastPopped;
        now = lastPopped;
      }
    }
    for (let item = heap.pop(); item; item = heap.pop()) {
      expect(item.time).toBeGreaterThanOrEqual(lastPopped);
      lastPopped = item.time;
    }
  });

  test('clear empties it', () => {
    const heap = new TimeHeap<{ time: number }>();
    heap.push({ time: 1 });
    heap.push({ time: 2 });
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });
});
