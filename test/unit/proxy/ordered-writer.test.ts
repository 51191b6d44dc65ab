import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOrderedWriter, reserveWithin } from '../../../main/firewall/proxy/ordered-writer.js';
import { recordingWriter } from '../../helpers/recording-writer.js';

describe('the ordered writer', () => {
  it('keeps what comes after a reserved place behind it, and passes straight through otherwise', () => {
    const inner = recordingWriter();
    const out = createOrderedWriter(inner);
    out.send('a');
    const fillB = out.reserve();
    out.send('c');
    const fillD = out.reserve();
    out.send('e');
    expect(inner.sent).toEqual(['a']);
    fillD('d'); // filled out of turn: still waits for b
    expect(inner.sent).toEqual(['a']);
    fillB('b');
    expect(inner.sent).toEqual(['a', 'b', 'c', 'd', 'e']);
    out.send('f');
    expect(inner.sent).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('asks the sender to pause when many wait, and says when to go on once they have left', () => {
    const inner = recordingWriter();
    const out = createOrderedWriter(inner);
    let resumed = 0;
    out.onDrain(() => resumed++);
    const fill = out.reserve();
    const answers = Array.from({ length: 1100 }, (_, i) => out.send(`m${i}`));
    expect(answers.slice(0, 1023).every(Boolean)).toBe(true);
    expect(answers.at(-1)).toBe(false);
    fill(null); // nothing to send in the held place
    expect(inner.sent).toHaveLength(1100);
    expect(resumed).toBe(1);
  });

  it('at the end sends what is ready and drops a place never filled', () => {
    const inner = recordingWriter();
    const out = createOrderedWriter(inner);
    out.reserve();
    out.send('late');
    out.end();
    expect(inner.sent).toEqual(['late']);
    expect(inner.ended).toBe(true);
  });
});

describe('a place reserved with a time limit', () => {
  afterEach(() => vi.useRealTimers());

  it('is filled with the refusal when nothing fills it in time, and a late fill is ignored', () => {
    vi.useFakeTimers();
    const inner = recordingWriter();
    const out = createOrderedWriter(inner);
    const fill = reserveWithin(out, 1_000, () => 'refused');
    out.send('after');
    vi.advanceTimersByTime(999);
    expect(inner.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(inner.sent).toEqual(['refused', 'after']);
    fill('late verdict');
    expect(inner.sent).toEqual(['refused', 'after']);
  });

  it('filled in time sends the answer and never the refusal', () => {
    vi.useFakeTimers();
    const inner = recordingWriter();
    const out = createOrderedWriter(inner);
    let asked = 0;
    const fill = reserveWithin(out, 1_000, () => `refused ${++asked}`);
    fill('answer');
    vi.advanceTimersByTime(5_000);
    expect(inner.sent).toEqual(['answer']);
    expect(asked).toBe(0);
  });
});
