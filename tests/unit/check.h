/*
 * check: the unit-test harness. TEST(name) defines a test that registers
 * itself; CHECK* record a failure with file and line and carry on, so one
 * run shows every broken assertion. The runner ends with the line
 * "N passed, N failed" (one count per test).
 */
#ifndef BVOPS_CHECK_H
#define BVOPS_CHECK_H

#include <stdbool.h>
#include <string.h>

typedef void (*check_fn)(void);

void check_register(const char *name, check_fn fn);
bool check_report(const char *file, int line, const char *expr, bool ok);
bool check_report_str(const char *file, int line, const char *expr,
		      const char *got, const char *want);

struct fleet;
/* A fleet from TOML text, or NULL after printing why (a test's own fleet
 * file was wrong). The caller frees it with fleet_free. */
struct fleet *check_fleet(const char *text);
/* The same with three nodes node-0..2 (ping on a closed local port,
 * transport local) after the tables in head. */
struct fleet *check_fleet3(const char *head);

/* Remove a test's temporary folder and all in it (rm -rf). */
void check_rm_tree(const char *dir);

/* Wait (at most timeout_ms) until a child of this process has ended,
 * without reaping it (the code under test does); at once when one has
 * already. For tests that drive a child's owner step by step. */
void check_wait_child(int timeout_ms);

#define TEST(name)                                                             \
	static void test_##name(void);                                         \
	__attribute__((constructor)) static void register_##name(void)         \
	{                                                                      \
		check_register(#name, test_##name);                            \
	}                                                                      \
	static void test_##name(void)

/* Written so static analysers see that a passing CHECK means cond held. */
#define CHECK(cond)                                                            \
	((cond) ? true : check_report(__FILE__, __LINE__, #cond, false))
#define CHECK_STR(got, want)                                                   \
	check_report_str(__FILE__, __LINE__, #got, (got), (want))

#endif
