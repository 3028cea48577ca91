/* archbench up ARCH: one architecture in the foreground on its default ports,
 * against var/, until Ctrl-C. */
#ifndef ARCHBENCH_UP_H
#define ARCHBENCH_UP_H

int up_main(int argc, char **argv);

#endif
