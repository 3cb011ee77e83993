/* notifier: sends the buyers' messages under NT-1..NT-5 (RULES.md section
 * 5). All the work is in notifier.c, provider.c, template.c and rules/;
 * this only runs the runtime (and adds the notifier's variables to
 * --help). */
#include <string.h>

#include "notifier.h"

int main(int argc, char **argv) {
    int rc = cs_worker_main(nt_worker_def(), argc, argv);
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputc('\n', stdout);
            nt_worker_usage(stdout);
            break;
        }
    return rc;
}
