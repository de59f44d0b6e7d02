/*
 * procstatus: how a procedure's entry point ended, for the caller to act
 * on (the command line turns it into an exit code; the console into a
 * line). Every other function of the engine returns 0 or -1 with a
 * message; a procedure also says which kind of failure it was, because
 * "nothing was changed, fix your input" and "AWS did not answer" call for
 * different next steps.
 */
#ifndef BVOPS_PROCSTATUS_H
#define BVOPS_PROCSTATUS_H

enum proc_status {
	PROC_OK = 0,  /* done, or nothing was needed */
	PROC_STOPPED, /* a check failed or the operator said no; journaled */
	PROC_REFUSED, /* bad input or state: nothing was changed */
	PROC_REMOTE,  /* AWS or a node could not be reached */
};

#endif
