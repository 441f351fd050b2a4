/* Prints the SDK layout as the C compiler sees it, one "type field offset size align" line per row. */
#include "c_layout_table.h"

#include <stdio.h>

/* Struct rows print "(struct)" as the field so that every line has five words; the C++
 * test parses this output and compares it with its own offsetof/sizeof. */
int main(void) {
    size_t i;
    for (i = 0; i < impact_c_layout_count; ++i) {
        const impact_c_layout_row* row = &impact_c_layout[i];
        if (printf("%s %s %zu %zu %zu\n", row->type, row->field[0] ? row->field : "(struct)", row->offset_bytes,
                   row->size_bytes, row->align_bytes) < 0)
            return 1;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
