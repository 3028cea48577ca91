/* The request step by step: where one request's time goes in each architecture,
 * from the Server-Timing entries loadgen aggregated at the latency floor (one
 * connection): each step's median, the median over the floor's repeats as for
 * the report's unloaded latency. Medians, not means: this shared machine puts
 * a tail of scheduling delays into every mean (a quick run: the monolith's mean
 * 0.211 ms against its median 0.134 ms), and the median is the latency the
 * report quotes. Two remainder rows close each column, so it sums to the client's
 * median latency. */
#ifndef ARCHBENCH_STEPS_H
#define ARCHBENCH_STEPS_H

#include <jansson.h>
#include <stdbool.h>

/* The rows of the report's table and chart, in their order. */
enum step_row {
    STEP_AUTH,        /* auth: header parsing, token hash, session lookup */
    STEP_DB,          /* db: the profile lookup */
    STEP_RENDER,      /* render: the JSON */
    STEP_HOP_AUTH,    /* microservices: auth-call minus auth-service's total */
    STEP_HOP_PROFILE, /* microservices: profile-call minus profile-service's total */
    STEP_QUEUE,       /* serverless: waiting for a free instance */
    STEP_INVOKE,      /* serverless: invoke minus the function's own total */
    STEP_INIT,        /* serverless: cold starts' init, spread over every request */
    STEP_OTHER,       /* the public server's total minus every row above */
    STEP_REST,        /* the client's latency minus the public server's total */
    STEP_NROWS
};

struct steps_figures {
    bool present;                /* the floor's answers carried Server-Timing */
    unsigned long long answers;  /* answers whose steps are counted */
    double ms[STEP_NROWS];       /* median per request (init: its mean over every
                                  * answer); NAN: no such step here */
    double server_ms;            /* the public server's median total */
    double client_ms;            /* the median latency loadgen measured */
};

/* The floor scenarios in sc_list (an architecture's run.json scenarios) into s;
 * arch is the sut_arch index (the rows each architecture has). s->present is
 * false when no floor answer carried Server-Timing (a run from before it). */
void steps_from_scenarios(json_t *sc_list, int arch, struct steps_figures *s);

/* The sum of s's rows (NAN rows left out): the client's median latency again. */
double steps_sum(const struct steps_figures *s);

/* Internal round trips a request makes in architecture arch: none in the
 * monolith; the gateway's two calls; the function's two Runtime API exchanges. */
unsigned steps_round_trips(int arch);

#endif
