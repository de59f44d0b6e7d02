/*
 * incident: the record of one node's outage, kept while it happens
 * (docs/incidents.md).
 *
 * When a node goes down the recorder opens an incident: the checks around
 * it (the node's recent history, then every check until it closes), the
 * timeline (transitions, alerts, restarts) and the node's journal lines
 * from [incidents] before the first failed check until [incidents] after
 * its recovery. The journal stream is started for it if no pane or watch
 * had it open, and copied out of the ring as lines come, so the ring's
 * bound never eats an incident's lines. A node that fails again before
 * the record closes stays in the same incident.
 *
 * Each incident is one JSON file, STATE/incidents/ID.json (0600 in 0700),
 * written whole and renamed over at its start, every few seconds while it
 * changes, and when it ends; incident_file.h reads and renders them.
 *
 * Owns the records; borrows the fleet, the monitor and the log streams.
 * Engine thread only.
 */
#ifndef BVOPS_INCIDENT_H
#define BVOPS_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/logstream.h"
#include "engine/monitor.h"
#include "state/fleet.h"

struct incidents;

/*
 * A recorder writing under state_dir (copied). ls may be NULL (no journal
 * lines then). defer_to_watch: record nothing while a `bvops watch` of the
 * same fleet runs on this host (it records them), so a console beside it
 * does not write each incident twice.
 */
struct incidents *incidents_new(const struct fleet *f, struct monitor *m,
				struct logstreams *ls, const char *state_dir,
				bool defer_to_watch);
/* Writes incidents still open as such ("recording stopped"), then frees. */
void incidents_free(struct incidents *r);

/*
 * A health transition (from the watchdog, which knows the holds). held:
 * why the node is held (holds.h), or NULL: a held node's down opens no
 * incident (a deliberate stop is not an outage); an incident already
 * open gets the change noted with its hold. r may be NULL.
 */
void incidents_on_event(struct incidents *r, const struct monitor_event *e,
			const char *held);
/* A line for node's open incident's timeline (an alert, a restart). */
void incidents_note(struct incidents *r, size_t node, const char *text);
/* Copy new checks and lines, close what is over, write what changed. */
void incidents_step(struct incidents *r);
/* The last failure to write a record, once (then ""); borrowed. */
const char *incidents_error(struct incidents *r);

/*
 * Take the fleet's watch lock (STATE/watch.lock) for as long as the
 * returned descriptor stays open: says to consoles that a watch records
 * incidents. -1 when another watch holds it (or on error).
 */
int incidents_watch_lock(const char *state_dir);
/* True when a `bvops watch` of the fleet holds that lock on this host. */
bool incidents_watch_running(const char *state_dir);

#endif
