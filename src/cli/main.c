/* bvops: operations console for Builder Vault TSM nodes. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
