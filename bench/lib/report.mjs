// Writes BENCHMARKS.md from one run: intro, command, machine, conditions, then one section per
// scenario (each scenario renders its own tables).

import { fmt } from './stats.mjs';

/**
 * @param {{ scenarios: { name: string, title: string, markdown(data: unknown, env: object): string }[],
 *   results: Record<string, { data?: unknown, error?: string, seconds: number }>, env: object,
 *   machine: Record<string, string> }} run
 */
export function renderReport({ scenarios, results, env, machine }) {
  const lines = [
    '# Kithara benchmarks',
    '',
    'What it costs to play audio with Kithara compared with the browser\'s own `<audio>` element, measured',
    'in headless Chromium against the local test server with a slow, distant network. Benchmarks, not',
    'tests: nothing here passes or fails a build. This file is written by the benchmark script; do not',
    'edit it by hand. See [bench/README.md](bench/README.md) for how each number is taken.',
    '',
    '```sh',
    `npm run bench                            # build, then all scenarios (~${Math.round(8 + env.soakSeconds / 60)} min)`,
    'BENCH_SOAK_SECONDS=30 BENCH_REPS=3 npm run bench   # a quick run',
    '```',
    '',
    '## Machine and conditions',
    '',
    ...Object.entries(machine).filter(([k]) => k !== 'Cores').map(([k, v]) => `- ${k}: ${v}`),
    `- Network (test server in the same process): every request waits ${env.latencyMs} ms before its headers and is`,
    `  paced at ${env.bytesPerSec} bytes/s (${fmt((env.bytesPerSec * 8) / 1e6, 0)} Mbit/s); the throughput scenario uses a second server without caps.`,
    `- Media: 60 s of the position-coded chirp (fixtures/signal.mjs), 44.1 kHz stereo: ${env.media.map((m) => `${m.label} (${fmt(m.bytes / 1024)} KiB)`).join(', ')}.`,
    '- The machine may be shared with other work: each section ends with the load average measured while it ran;',
    '  the benchmark itself accounts for about 1–1.5; a load above the core count means the browser competed for CPU,',
    '  which shows most in throughput and the soak.',
    '- Output: AudioContext at 48 kHz. Repetitions: ' + `${env.reps} per cell for latency, ${env.throughputReps} for throughput.`,
    '',
  ];
  for (const s of scenarios) {
    const r = results[s.name];
    if (!r) continue;
    lines.push(`## ${s.title}`, '');
    if (r.error) lines.push(`Not measured: the scenario failed (${r.error}).`);
    else lines.push(s.markdown(r.data, env));
    const load = r.load ? `; 1-min load average during it: mean ${fmt(r.load.mean, 1)}, max ${fmt(r.load.max, 1)} (${machine.Cores} cores)` : '';
    lines.push('', `<sub>scenario \`${s.name}\`, ${fmt(r.seconds)} s${load}</sub>`, '');
  }
  return lines.join('\n');
}
