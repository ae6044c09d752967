/* Fixture writer for the SAS7BDAT reader tests (issue 9): cc -o mkfixture tools/sas/mkfixture.c -lreadstat (Debian libreadstat-dev). */
/* Writes a 3-row SAS7BDAT with Latin-1 text, a DATE and a DATETIME column (format names without width: ReadStat writes the text verbatim and no width fields).
   usage: mkfixture out.sas7bdat [rle]   (libreadstat-dev 1.1.8; link with -lreadstat) */
#include <readstat.h>
#include <stdio.h>
#include <string.h>
static ssize_t write_bytes(const void *data, size_t len, void *ctx) { return fwrite(data, 1, len, (FILE *)ctx); }
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "wb");
    readstat_writer_t *w = readstat_writer_init();
    readstat_set_data_writer(w, &write_bytes);
    readstat_writer_set_table_name(w, "PEOPLE");
    if (argc > 2 && strcmp(argv[2], "rle") == 0) readstat_writer_set_compression(w, READSTAT_COMPRESS_ROWS);
    readstat_variable_t *pnr = readstat_add_variable(w, "pnr", READSTAT_TYPE_DOUBLE, 0);
    readstat_variable_t *navn = readstat_add_variable(w, "navn", READSTAT_TYPE_STRING, 8);
    readstat_variable_set_label(navn, "Fornavn");
    readstat_variable_t *fdato = readstat_add_variable(w, "fdato", READSTAT_TYPE_DOUBLE, 0);
    readstat_variable_set_format(fdato, "DATE");
    readstat_variable_t *ts = readstat_add_variable(w, "kontakt_ts", READSTAT_TYPE_DOUBLE, 0);
    readstat_variable_set_format(ts, "DATETIME");
    /* Latin-1 bytes: \xC6 = Æ, \xF8 = ø, \xE5 = å, \xC5 = Å */
    const char *names[3] = { "\xC6r\xF8", "S\xF8ren", "\xC5se" };
    double days[3] = { 23406, 14602, 0 };       /* 2024-01-31, 1999-12-24, missing */
    double secs[3] = { 2022321600, 0, 1262304000.5 }; /* 2024-01-31T12:00:00, 1960-01-01, 2000-01-01T00:00:00.5 */
    readstat_begin_writing_sas7bdat(w, f, 3);
    for (int i = 0; i < 3; i++) {
        readstat_begin_row(w);
        readstat_insert_double_value(w, pnr, i + 1);
        readstat_insert_string_value(w, navn, names[i]);
        if (i == 2) readstat_insert_missing_value(w, fdato); else readstat_insert_double_value(w, fdato, days[i]);
        readstat_insert_double_value(w, ts, secs[i]);
        readstat_end_row(w);
    }
    readstat_end_writing(w);
    readstat_writer_free(w);
    /* ReadStat always writes encoding code 20 (UTF-8) at header offset 70; mark the file latin1 (29). */
    fseek(f, 70, SEEK_SET); fputc(29, f);
    fclose(f);
    return 0;
}
