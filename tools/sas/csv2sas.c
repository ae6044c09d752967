/* csv2sas: writes a CSV file (header row, `,`-separated, no quoted fields) as a SAS7BDAT data set
   with ReadStat's writer, to make the register fixtures of tests/data/sas-registers/.

   usage: csv2sas in.csv out.sas7bdat TYPES [latin1] [rle] [lower]
     TYPES   one letter per column, e.g. "sdnns": s text, n number, d ISO date (YYYY-MM-DD,
             written as days since 1960-01-01 with the DATE format)
     latin1  write text as ISO-8859-1 (from the CSV's UTF-8) and mark the header so (code 29)
     rle     compress rows with RLE (SAS "CHAR" compression)
     lower   write column names in lower case, as many research extracts have them
   Empty cells are SAS missing values (numbers, dates) or blanks (text).

   build: cc -O2 -o csv2sas tools/sas/csv2sas.c -lreadstat   (Debian libreadstat-dev 1.1.8) */
#include <ctype.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ssize_t write_bytes(const void *data, size_t len, void *ctx) {
    return fwrite(data, 1, len, (FILE *)ctx);
}

/* Days from 1960-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil, shifted). */
static long days_since_1960(int y, int m, int d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 + 3653;
}

/* UTF-8 to ISO-8859-1 in place (characters above U+00FF become '?'). */
static void to_latin1(char *s) {
    unsigned char *in = (unsigned char *)s, *out = (unsigned char *)s;
    while (*in) {
        if (*in < 0x80) { *out++ = *in++; }
        else if ((*in & 0xE0) == 0xC0 && in[1]) {
            unsigned cp = ((in[0] & 0x1F) << 6) | (in[1] & 0x3F);
            *out++ = cp <= 0xFF ? (unsigned char)cp : '?';
            in += 2;
        } else { *out++ = '?'; in++; while ((*in & 0xC0) == 0x80) in++; }
    }
    *out = 0;
}

#define MAX_COLS 64

/* Splits a line at its commas in place (no quoted fields), its line end removed; returns the
   number of fields, of which the first `max` are pointed to by `fields`. */
static int split(char *line, char **fields, int max) {
    line[strcspn(line, "\r\n")] = 0;
    int n = 0;
    char *p = line;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = 0;
        if (n < max) fields[n] = p;
        n++;
        if (!comma) return n;
        p = comma + 1;
    }
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: csv2sas in.csv out.sas7bdat TYPES [latin1] [rle] [lower]\n"); return 2; }
    int latin1 = 0, rle = 0, lower = 0;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "latin1")) latin1 = 1;
        else if (!strcmp(argv[i], "rle")) rle = 1;
        else if (!strcmp(argv[i], "lower")) lower = 1;
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    const char *types = argv[3];
    int ncols = (int)strlen(types);
    FILE *in = fopen(argv[1], "r");
    if (!in) { perror(argv[1]); return 1; }
    /* Two passes over the file, so that a national register (tens of millions of rows) is never
       held in memory: the first counts the rows and finds each text column's width, the second
       writes the rows. */
    char *header[MAX_COLS];
    char *fields[MAX_COLS];
    size_t widths[MAX_COLS];
    for (int c = 0; c < MAX_COLS; c++) widths[c] = 1;
    static char line[65536];
    size_t nrows = 0;
    int line_no = 0;
    while (fgets(line, sizeof line, in)) {
        int n = split(line, fields, ncols);
        if (n != ncols) { fprintf(stderr, "%s line %d: %d fields, TYPES has %d\n", argv[1], line_no + 1, n, ncols); return 1; }
        if (line_no++ == 0) {
            for (int c = 0; c < ncols; c++) header[c] = strdup(fields[c]);
            continue;
        }
        nrows++;
        for (int c = 0; c < ncols; c++) {
            if (types[c] != 's') continue;
            if (latin1) to_latin1(fields[c]);
            if (strlen(fields[c]) > widths[c]) widths[c] = strlen(fields[c]);
        }
    }

    FILE *out = fopen(argv[2], "wb");
    if (!out) { perror(argv[2]); return 1; }
    readstat_writer_t *w = readstat_writer_init();
    readstat_set_data_writer(w, &write_bytes);
    readstat_writer_set_table_name(w, "REGISTER");
    if (rle) readstat_writer_set_compression(w, READSTAT_COMPRESS_ROWS);
    readstat_variable_t *vars[MAX_COLS];
    for (int c = 0; c < ncols; c++) {
        if (lower) for (char *q = header[c]; *q; q++) *q = (char)tolower((unsigned char)*q);
        if (types[c] == 's') {
            vars[c] = readstat_add_variable(w, header[c], READSTAT_TYPE_STRING, widths[c]);
        } else {
            vars[c] = readstat_add_variable(w, header[c], READSTAT_TYPE_DOUBLE, 0);
            if (types[c] == 'd') readstat_variable_set_format(vars[c], "DATE");
        }
    }
    readstat_begin_writing_sas7bdat(w, out, (long)nrows);
    rewind(in);
    if (!fgets(line, sizeof line, in)) return 1;
    for (size_t r = 0; r < nrows && fgets(line, sizeof line, in); r++) {
        split(line, fields, ncols);
        readstat_begin_row(w);
        for (int c = 0; c < ncols; c++) {
            const char *v = fields[c];
            if (types[c] == 's') {
                if (latin1) to_latin1(fields[c]);
                readstat_insert_string_value(w, vars[c], v);
                continue;
            }
            if (!*v) { readstat_insert_missing_value(w, vars[c]); continue; }
            if (types[c] == 'd') {
                int y, m, d;
                if (sscanf(v, "%d-%d-%d", &y, &m, &d) != 3) { fprintf(stderr, "row %zu: %s is not a date\n", r + 1, v); return 1; }
                readstat_insert_double_value(w, vars[c], (double)days_since_1960(y, m, d));
            } else {
                readstat_insert_double_value(w, vars[c], strtod(v, NULL));
            }
        }
        readstat_end_row(w);
    }
    fclose(in);
    readstat_end_writing(w);
    readstat_writer_free(w);
    /* ReadStat writes encoding code 20 (UTF-8) at header offset 70; mark Latin-1 files (29). */
    if (latin1) { fseek(out, 70, SEEK_SET); fputc(29, out); }
    fclose(out);
    return 0;
}
