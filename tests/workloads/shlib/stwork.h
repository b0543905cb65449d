/* SPDX-License-Identifier: GPL-2.0 */
/* Functions of libstwork.so, the shared-library symbolization workload. */
#ifndef STWORK_H
#define STWORK_H

void stwork_burn(double secs);
void stwork_sleep(void);

#endif
