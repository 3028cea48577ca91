/* archbench run: seeds if needed, then starts each architecture in turn, drives it
 * with bin/loadgen through the profile's scenarios, samples its processes, stops
 * it, and writes results/<UTC timestamp>/run.json (+ the raw loadgen files and the
 * servers' logs); results/latest points at the newest run. */
#ifndef ARCHBENCH_RUN_H
#define ARCHBENCH_RUN_H

int run_main(int argc, char **argv);

#endif
