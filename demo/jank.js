// The "main thread jank" switch: blocks the main thread for `blockMs` once per second with a
// busy loop, and reports how far the audio clock moved and how many underruns happened during
// the block. Audio decoded in the worker and played by the worklet should keep going.

/**
 * Starts blocking. Returns a function that stops it.
 * @param {() => { audioContext?: BaseAudioContext, stats?: { underruns: number } } | null} getPlayer
 * @param {(report: { count: number, blockMs: number, audioAdvancedSec: number, underruns: number }) => void} onBlock
 * @param {number} blockMs
 */
export function startJank(getPlayer, onBlock, blockMs = 200) {
  let count = 0;
  const timer = setInterval(() => {
    const p = getPlayer();
    const ctx = p?.audioContext;
    const clock0 = ctx?.currentTime ?? 0;
    const under0 = underruns(p);
    const end = performance.now() + blockMs;
    while (performance.now() < end) {
      // Busy-wait on purpose: this is the jank.
    }
    count++;
    onBlock({ count, blockMs, audioAdvancedSec: (ctx?.currentTime ?? 0) - clock0, underruns: underruns(p) - under0 });
  }, 1000);
  return () => clearInterval(timer);
}

/** The player's underrun counter, 0 when unavailable. */
function underruns(p) {
  try {
    return p?.stats?.underruns ?? 0;
  } catch {
    return 0;
  }
}
