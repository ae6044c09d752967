-- Hand-written peer (DuckDB SQL) of `ulighed validate`: the register contract's validation rules
-- of docs/registers.md ("Validation a reader performs") as src/registers/validate.rs applies them,
-- over the Parquet files of one registers folder. The runner validate_duckdb.py executes the
-- blocks below in order; each block starts with a line `-- <kind>: <name>`:
--   setup   statements run once (macros, the contract, the discovery of the folder's files);
--   rule    one query per rule, named exactly as ulighed names it.
-- Between the setup and the rules the runner creates one view per register (bef, udda, ind, akm,
-- lpr_kontakter, lpr_diagnoser, lpr_procedurer, lmdb, dod, vnds) from the table `mapping`: the
-- register's readable files stacked, with the columns file (the file's name), row_nr (1-based
-- row of the file), year (of a yearly register's file name) and every column of the contract
-- under its contract name, as the file holds it (its own type; NULL where the file lacks an
-- optional column). A register without files is an empty view.
-- Variables (the runner sets them):
--   SET VARIABLE registers = '/path/to/registers';
--   SET VARIABLE as_of = DATE '2025-06-30';
--   SET VARIABLE paths = ['...', ...];   -- before the mapping block: the paths of table `files`
-- Every rule query returns: rule, severity (ulighed's default), file, col, rows (the count of
-- offending rows), examples (the first three offending rows as 'row N value').

-- setup: helpers
-- Text stripped of surrounding whitespace (Polars' strip_chars(None) strips Unicode whitespace;
-- this strips the ASCII kinds).
CREATE OR REPLACE MACRO stripped(s) AS trim(s, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13));

-- A value is present when not null and, for text, not empty (Parquet text is read as it is: a
-- value of spaces is present, and breaks text_padding).
CREATE OR REPLACE MACRO present(x) AS x IS NOT NULL AND (typeof(x) <> 'VARCHAR' OR x::VARCHAR <> '');

CREATE OR REPLACE MACRO is_fractional_type(x) AS typeof(x) IN ('FLOAT', 'DOUBLE') OR typeof(x) LIKE 'DECIMAL%';
CREATE OR REPLACE MACRO whole(x) AS try_cast(x AS DOUBLE) = trunc(try_cast(x AS DOUBLE));

-- The value of a text or person column as ulighed reads it: text as it is, a number as its
-- digits (a whole float or decimal without its fraction: 1.0 is '1').
CREATE OR REPLACE MACRO as_text(x) AS CASE
    WHEN is_fractional_type(x) AND whole(x) THEN try_cast(try_cast(x AS DOUBLE) AS HUGEINT)::VARCHAR
    ELSE x::VARCHAR END;

-- A contact key: text as it is, an integer as its digits, a whole float or decimal as its
-- integer, any other number none (a `types` error). Compared as text: integer keys compare alike.
CREATE OR REPLACE MACRO key_of(x) AS CASE
    WHEN typeof(x) = 'VARCHAR' THEN x::VARCHAR
    WHEN is_fractional_type(x) THEN CASE WHEN whole(x) THEN try_cast(try_cast(x AS DOUBLE) AS HUGEINT)::VARCHAR END
    ELSE x::VARCHAR END;

-- A date: a Date as it is, a timestamp's day, text as strict YYYY-MM-DD (stripped).
CREATE OR REPLACE MACRO date_of(x) AS CASE
    WHEN typeof(x) = 'VARCHAR' THEN try_strptime(stripped(x::VARCHAR), '%Y-%m-%d')::DATE
    ELSE try_cast(x AS DATE) END;

-- A number (decimal): text stripped and parsed, numbers as they are.
CREATE OR REPLACE MACRO number_of(x) AS CASE
    WHEN typeof(x) = 'VARCHAR' THEN try_cast(stripped(x::VARCHAR) AS DOUBLE)
    ELSE try_cast(x AS DOUBLE) END;

-- A municipality code as an integer: text of digits (101 and 0101 are 101), an integer, a whole
-- float or decimal. '101.0' as text is no code (Polars' cast of text to an integer refuses it).
CREATE OR REPLACE MACRO kom_of(x) AS CASE
    WHEN typeof(x) = 'VARCHAR' THEN
        CASE WHEN regexp_full_match(stripped(x::VARCHAR), '[+-]?[0-9]+') THEN try_cast(stripped(x::VARCHAR) AS INTEGER) END
    WHEN is_fractional_type(x) THEN CASE WHEN whole(x) THEN try_cast(x AS INTEGER) END
    ELSE try_cast(x AS INTEGER) END;

-- A time of day as seconds since midnight: text HH:MM or HH:MM:SS (stripped), a timestamp's
-- time of day, or a whole number of seconds 0-86399 (a SAS time value).
CREATE OR REPLACE MACRO time_of(x) AS CASE
    WHEN typeof(x) = 'VARCHAR' THEN
        CASE WHEN regexp_full_match(stripped(x::VARCHAR), '([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?')
             THEN substr(stripped(x::VARCHAR), 1, 2)::INTEGER * 3600
                + substr(stripped(x::VARCHAR), 4, 2)::INTEGER * 60
                + coalesce(nullif(substr(stripped(x::VARCHAR), 7, 2), '')::INTEGER, 0) END
    WHEN typeof(x) LIKE 'TIMESTAMP%' THEN
        hour(try_cast(x AS TIMESTAMP)) * 3600 + minute(try_cast(x AS TIMESTAMP)) * 60 + second(try_cast(x AS TIMESTAMP))
    ELSE CASE WHEN try_cast(x AS DOUBLE) >= 0 AND try_cast(x AS DOUBLE) < 86400 AND whole(x)
              THEN try_cast(x AS INTEGER) END END;

-- A code (present) that does not match a pattern (the whole value, as ulighed's ^...$).
CREATE OR REPLACE MACRO breaks(x, pattern) AS present(x) AND NOT regexp_full_match(as_text(x), pattern);

-- The 98 municipalities (src/data/municipalities.csv); 411 Christiansø is none of them.
CREATE OR REPLACE MACRO is_municipality(k) AS k IN (
    101, 147, 151, 153, 155, 157, 159, 161, 163, 165, 167, 169, 173, 175, 183, 185, 187, 190, 201,
    210, 217, 219, 223, 230, 240, 250, 253, 259, 260, 265, 269, 270, 306, 316, 320, 326, 329, 330,
    336, 340, 350, 360, 370, 376, 390, 400, 410, 420, 430, 440, 450, 461, 479, 480, 482, 492, 510,
    530, 540, 550, 561, 563, 573, 575, 580, 607, 615, 621, 630, 657, 661, 665, 671, 706, 707, 710,
    727, 730, 740, 741, 746, 751, 756, 760, 766, 773, 779, 787, 791, 810, 813, 820, 825, 840, 846,
    849, 851, 860);

-- The examples of a finding: its first three rows, as 'row N value'.
CREATE OR REPLACE MACRO examples(r, v) AS min_by('row ' || r || ' ' || coalesce(v::VARCHAR, ''), r, 3);

-- A finding per column of a register, for the rules that apply to many columns alike
-- (column_empty, text_padding): one aggregate per column over one scan, unpivoted to one row per
-- (file, column) with the struct {n: offending rows, ex: examples}.
CREATE OR REPLACE MACRO cite(bad, r, v) AS {
    'n': count_if(bad),
    'ex': min_by(CASE WHEN bad THEN 'row ' || r || ' ' || coalesce(v::VARCHAR, '') END, CASE WHEN bad THEN r END, 3)};
-- column_empty: a required column with no value in any row; then every row breaks it, and its
-- first rows (1-3, each null or empty) are the examples.
CREATE OR REPLACE MACRO cite_empty(x) AS {
    'n': CASE WHEN count_if(present(x)) = 0 THEN count(*) ELSE 0 END,
    'ex': list_transform(range(1, least(count(*), 3) + 1), lambda i: 'row ' || i || ' ')};
CREATE OR REPLACE MACRO empty_columns(tbl, cols) AS TABLE
    UNPIVOT (SELECT file, cite_empty(COLUMNS(cols)) FROM query_table(tbl) GROUP BY file)
    ON COLUMNS(* EXCLUDE file) INTO NAME col VALUE f;
-- text_padding: text of a Parquet file with leading or trailing whitespace, in any contract column
-- (its first or last character is ASCII whitespace: the same rows as x <> stripped(x), in half
-- the time).
CREATE OR REPLACE MACRO padded(x) AS typeof(x) = 'VARCHAR'
    AND (ascii(x::VARCHAR) IN (9, 10, 11, 12, 13, 32) OR (x::VARCHAR)[-1] IN (' ', chr(9), chr(10), chr(11), chr(12), chr(13)));
CREATE OR REPLACE MACRO padded_columns(tbl) AS TABLE
    UNPIVOT (SELECT file, cite(padded(COLUMNS(* EXCLUDE (file, row_nr, year))), row_nr,
                               COLUMNS(* EXCLUDE (file, row_nr, year)))
             FROM query_table(tbl) GROUP BY file)
    ON COLUMNS(* EXCLUDE file) INTO NAME col VALUE f;

-- pnr_unique: the rows of a register whose PNR (present) is found more than once in their file.
CREATE OR REPLACE MACRO repeated_pnr(tbl) AS TABLE
    SELECT t.file, t.row_nr, as_text(t.PNR) AS v
    FROM query_table(tbl) t
    SEMI JOIN (SELECT file, as_text(PNR) AS p FROM query_table(tbl) WHERE present(PNR) GROUP BY ALL HAVING count(*) > 1) d
      ON d.file = t.file AND d.p = as_text(t.PNR);

-- setup: contract
-- The registers' file names (src/registers/contract.rs, the LPR3 "F" model's names included) and
-- columns: kind, whether required, the accepted alias.
CREATE OR REPLACE TEMP TABLE register_names AS
SELECT * FROM (VALUES
    ('bef', 'bef', true), ('udda', 'udda', true), ('ind', 'ind', true), ('akm', 'akm', true),
    ('lpr_kontakter', 'lpr_kontakter', false), ('lpr_kontakter', 'lpr_f_kontakter', false),
    ('lpr_diagnoser', 'lpr_diagnoser', false), ('lpr_diagnoser', 'lpr_f_diagnoser', false),
    ('lpr_procedurer', 'lpr_procedurer', false), ('lpr_procedurer', 'lpr_f_procedurer_kirurgi', false),
    ('lpr_procedurer', 'lpr_f_procedurer_andre', false), ('lpr_procedurer', 'lpr_f_procedurer', false),
    ('lmdb', 'lmdb', false), ('dod', 'dod', false), ('vnds', 'vnds', false)
) t(register, name, yearly);

CREATE OR REPLACE TEMP TABLE contract AS
SELECT * FROM (VALUES
    ('bef', 'PNR', 'person', true, NULL), ('bef', 'FOED_DAG', 'date', true, NULL),
    ('bef', 'KOEN', 'text', true, NULL), ('bef', 'KOM', 'municipality', true, NULL),
    ('bef', 'IE_TYPE', 'text', true, NULL), ('bef', 'OPR_LAND', 'text', false, NULL),
    ('bef', 'CIVST', 'text', false, NULL), ('bef', 'MOR_ID', 'person', false, NULL),
    ('bef', 'FAR_ID', 'person', false, NULL), ('bef', 'FAMILIE_TYPE', 'text', false, NULL),
    ('udda', 'PNR', 'person', true, NULL), ('udda', 'HFAUDD', 'text', true, NULL),
    ('ind', 'PNR', 'person', true, NULL), ('ind', 'FAMAEKVIVADISP', 'number', true, 'FAMAEKVIVADISP_13'),
    ('ind', 'PERINDKIALT', 'number', false, NULL),
    ('lpr_kontakter', 'DW_EK_KONTAKT', 'key', true, NULL), ('lpr_kontakter', 'PNR', 'person', true, NULL),
    ('lpr_kontakter', 'DATO_START', 'date', true, NULL), ('lpr_kontakter', 'DATO_SLUT', 'date', true, NULL),
    ('lpr_kontakter', 'KONTAKTTYPE', 'text', true, NULL), ('lpr_kontakter', 'SORENHED_ANS', 'text', true, NULL),
    ('lpr_kontakter', 'AKTIONSDIAGNOSE', 'text', true, NULL), ('lpr_kontakter', 'PRIORITET', 'text', false, NULL),
    ('lpr_kontakter', 'TIDSPUNKT_START', 'time', false, NULL), ('lpr_kontakter', 'TIDSPUNKT_SLUT', 'time', false, NULL),
    ('lpr_diagnoser', 'DW_EK_KONTAKT', 'key', true, NULL), ('lpr_diagnoser', 'DIAGNOSEKODE', 'text', true, NULL),
    ('lpr_diagnoser', 'DIAGNOSETYPE', 'text', true, NULL), ('lpr_diagnoser', 'SENERE_AFKRAEFTET', 'text', false, NULL),
    ('lpr_procedurer', 'DW_EK_KONTAKT', 'key', true, NULL), ('lpr_procedurer', 'PROCEDUREKODE', 'text', true, NULL),
    ('lpr_procedurer', 'DATO_START', 'date', true, NULL), ('lpr_procedurer', 'TIDSPUNKT_START', 'time', false, NULL),
    ('lmdb', 'PNR', 'person', true, NULL), ('lmdb', 'EKSD', 'date', true, NULL),
    ('lmdb', 'ATC', 'text', true, NULL), ('lmdb', 'APK', 'number', false, NULL),
    ('dod', 'PNR', 'person', true, NULL), ('dod', 'DODDATO', 'date', true, 'D_DODSDTO'),
    ('vnds', 'PNR', 'person', true, NULL), ('vnds', 'INDUD_KODE', 'text', true, NULL),
    ('vnds', 'HAEND_DATO', 'date', true, NULL),
    ('akm', 'PNR', 'person', true, NULL), ('akm', 'SOCIO13', 'text', true, NULL)
) t(register, name, kind, required, alias);

-- setup: files
-- The folder's register files (not its subfolders): names compared in lower case, a yearly
-- register's with its 4-digit year, an event register's whole or split by year.
CREATE OR REPLACE TEMP TABLE files AS
WITH listed AS (
    SELECT file AS path, parse_filename(file) AS file, lower(parse_filename(file)) AS lname
    FROM glob(getvariable('registers') || '/*')
)
SELECT l.path, l.file, r.register,
       try_cast(regexp_extract(l.lname, '^' || r.name || '([0-9]{4})?\.parquet$', 1) AS INTEGER) AS year
FROM listed l JOIN register_names r
  ON regexp_full_match(l.lname, r.name || CASE WHEN r.yearly THEN '[0-9]{4}' ELSE '([0-9]{4})?' END || '\.parquet')
ORDER BY l.file;

-- setup: mapping
-- Each file's column for each contract column (its name or alias, without regard to case).
-- `found` counts the file's columns that stand for it: 0 for a missing column, 2 when a file holds
-- both a name and its alias (both refused by ulighed as rule required columns).
CREATE OR REPLACE TEMP TABLE file_columns AS
SELECT file_name AS path, name FROM parquet_schema(getvariable('paths')) WHERE num_children IS NULL;

CREATE OR REPLACE TEMP TABLE mapping AS
SELECT f.path, f.file, f.register, f.year, c.name AS col, c.required,
       min(fc.name) AS file_column, count(fc.name) AS found
FROM files f
JOIN contract c USING (register)
LEFT JOIN file_columns fc
  ON fc.path = f.path AND lower(fc.name) IN (lower(c.name), lower(coalesce(c.alias, '')))
GROUP BY ALL;

-- rule: required_register
SELECT 'required_register' AS rule, 'error' AS severity, getvariable('registers') AS file, '' AS col,
       0 AS rows, [] AS examples
WHERE NOT EXISTS (SELECT 1 FROM files WHERE register = 'bef');

-- rule: required_columns
-- A file without a required column (or with a column and its alias both) cannot be opened:
-- ulighed stops with an error naming it; the peer reports it and leaves the file out.
SELECT 'required_columns' AS rule, 'error' AS severity, file, col, 0 AS rows,
       [CASE WHEN found = 0 THEN 'missing' ELSE 'given twice' END] AS examples
FROM mapping
WHERE (required AND found = 0) OR found > 1;

-- rule: column_empty
-- A required column (PNR aside) with no value in any row.
SELECT 'column_empty' AS rule, 'error' AS severity, file, col, f.n AS rows, f.ex AS examples
FROM (
    FROM empty_columns('bef', ['FOED_DAG', 'KOEN', 'KOM', 'IE_TYPE'])
    UNION ALL FROM empty_columns('udda', ['HFAUDD'])
    UNION ALL FROM empty_columns('ind', ['FAMAEKVIVADISP'])
    UNION ALL FROM empty_columns('akm', ['SOCIO13'])
    UNION ALL FROM empty_columns('lpr_kontakter', ['DW_EK_KONTAKT', 'DATO_START', 'DATO_SLUT', 'KONTAKTTYPE', 'SORENHED_ANS', 'AKTIONSDIAGNOSE'])
    UNION ALL FROM empty_columns('lpr_diagnoser', ['DW_EK_KONTAKT', 'DIAGNOSEKODE', 'DIAGNOSETYPE'])
    UNION ALL FROM empty_columns('lpr_procedurer', ['DW_EK_KONTAKT', 'PROCEDUREKODE', 'DATO_START'])
    UNION ALL FROM empty_columns('lmdb', ['EKSD', 'ATC'])
    UNION ALL FROM empty_columns('dod', ['DODDATO'])
    UNION ALL FROM empty_columns('vnds', ['INDUD_KODE', 'HAEND_DATO'])
)
WHERE f.n > 0;

-- rule: types
-- Values that do not parse as their column's type (contact keys, dates, numbers, municipality
-- codes, times of day; text and person keys always parse).
WITH bad AS (
    SELECT file, 'FOED_DAG' AS col, row_nr, FOED_DAG::VARCHAR AS v FROM bef WHERE present(FOED_DAG) AND date_of(FOED_DAG) IS NULL
    UNION ALL SELECT file, 'KOM', row_nr, KOM::VARCHAR FROM bef WHERE present(KOM) AND kom_of(KOM) IS NULL
    UNION ALL SELECT file, 'FAMAEKVIVADISP', row_nr, FAMAEKVIVADISP::VARCHAR FROM ind WHERE present(FAMAEKVIVADISP) AND number_of(FAMAEKVIVADISP) IS NULL
    UNION ALL SELECT file, 'PERINDKIALT', row_nr, PERINDKIALT::VARCHAR FROM ind WHERE present(PERINDKIALT) AND number_of(PERINDKIALT) IS NULL
    UNION ALL SELECT file, 'DW_EK_KONTAKT', row_nr, DW_EK_KONTAKT::VARCHAR FROM lpr_kontakter WHERE present(DW_EK_KONTAKT) AND key_of(DW_EK_KONTAKT) IS NULL
    UNION ALL SELECT file, 'DATO_START', row_nr, DATO_START::VARCHAR FROM lpr_kontakter WHERE present(DATO_START) AND date_of(DATO_START) IS NULL
    UNION ALL SELECT file, 'DATO_SLUT', row_nr, DATO_SLUT::VARCHAR FROM lpr_kontakter WHERE present(DATO_SLUT) AND date_of(DATO_SLUT) IS NULL
    UNION ALL SELECT file, 'TIDSPUNKT_START', row_nr, TIDSPUNKT_START::VARCHAR FROM lpr_kontakter WHERE present(TIDSPUNKT_START) AND time_of(TIDSPUNKT_START) IS NULL
    UNION ALL SELECT file, 'TIDSPUNKT_SLUT', row_nr, TIDSPUNKT_SLUT::VARCHAR FROM lpr_kontakter WHERE present(TIDSPUNKT_SLUT) AND time_of(TIDSPUNKT_SLUT) IS NULL
    UNION ALL SELECT file, 'DW_EK_KONTAKT', row_nr, DW_EK_KONTAKT::VARCHAR FROM lpr_diagnoser WHERE present(DW_EK_KONTAKT) AND key_of(DW_EK_KONTAKT) IS NULL
    UNION ALL SELECT file, 'DW_EK_KONTAKT', row_nr, DW_EK_KONTAKT::VARCHAR FROM lpr_procedurer WHERE present(DW_EK_KONTAKT) AND key_of(DW_EK_KONTAKT) IS NULL
    UNION ALL SELECT file, 'DATO_START', row_nr, DATO_START::VARCHAR FROM lpr_procedurer WHERE present(DATO_START) AND date_of(DATO_START) IS NULL
    UNION ALL SELECT file, 'TIDSPUNKT_START', row_nr, TIDSPUNKT_START::VARCHAR FROM lpr_procedurer WHERE present(TIDSPUNKT_START) AND time_of(TIDSPUNKT_START) IS NULL
    UNION ALL SELECT file, 'EKSD', row_nr, EKSD::VARCHAR FROM lmdb WHERE present(EKSD) AND date_of(EKSD) IS NULL
    UNION ALL SELECT file, 'APK', row_nr, APK::VARCHAR FROM lmdb WHERE present(APK) AND number_of(APK) IS NULL
    UNION ALL SELECT file, 'DODDATO', row_nr, DODDATO::VARCHAR FROM dod WHERE present(DODDATO) AND date_of(DODDATO) IS NULL
    UNION ALL SELECT file, 'HAEND_DATO', row_nr, HAEND_DATO::VARCHAR FROM vnds WHERE present(HAEND_DATO) AND date_of(HAEND_DATO) IS NULL
)
SELECT 'types' AS rule, 'error' AS severity, file, col, count(*) AS rows, examples(row_nr, v) AS examples
FROM bad GROUP BY file, col;

-- rule: text_padding
-- Text with leading or trailing whitespace, in any column of the contract a file holds as text.
SELECT 'text_padding' AS rule, 'error' AS severity, file, col, f.n AS rows, f.ex AS examples
FROM (
    FROM padded_columns('bef') UNION ALL FROM padded_columns('udda')
    UNION ALL FROM padded_columns('ind') UNION ALL FROM padded_columns('akm')
    UNION ALL FROM padded_columns('lpr_kontakter') UNION ALL FROM padded_columns('lpr_diagnoser')
    UNION ALL FROM padded_columns('lpr_procedurer') UNION ALL FROM padded_columns('lmdb')
    UNION ALL FROM padded_columns('dod') UNION ALL FROM padded_columns('vnds')
)
WHERE f.n > 0;

-- rule: pnr_present
-- PNR null or empty text, in every register that has one.
WITH bad AS (
    SELECT file, row_nr, PNR FROM bef WHERE NOT present(PNR)
    UNION ALL SELECT file, row_nr, PNR FROM udda WHERE NOT present(PNR)
    UNION ALL SELECT file, row_nr, PNR FROM ind WHERE NOT present(PNR)
    UNION ALL SELECT file, row_nr, PNR FROM akm WHERE NOT present(PNR)
    UNION ALL SELECT file, row_nr, PNR FROM lpr_kontakter WHERE NOT present(PNR)
    UNION ALL SELECT file, row_nr, PNR FROM lmdb WHERE NOT present(PNR)
    UNION ALL SELECT file, row_nr, PNR FROM dod WHERE NOT present(PNR)
    UNION ALL SELECT file, row_nr, PNR FROM vnds WHERE NOT present(PNR)
)
SELECT 'pnr_present' AS rule, 'error' AS severity, file, 'PNR' AS col, count(*) AS rows,
       examples(row_nr, coalesce(PNR::VARCHAR, '')) AS examples
FROM bad GROUP BY file;

-- rule: pnr_unique
-- Every row of a PNR found more than once in a file of bef, udda, ind, akm (one year each) or dod.
WITH bad AS (
    FROM repeated_pnr('bef') UNION ALL FROM repeated_pnr('udda') UNION ALL FROM repeated_pnr('ind')
    UNION ALL FROM repeated_pnr('akm') UNION ALL FROM repeated_pnr('dod')
)
SELECT 'pnr_unique' AS rule, 'error' AS severity, file, 'PNR' AS col, count(*) AS rows, examples(row_nr, v) AS examples
FROM bad GROUP BY file;

-- rule: date_range
-- Dates before 1900-01-01; a birth date also after the as-of date (an event date after it is
-- after_as_of instead, and a contact may end after it).
WITH bad AS (
    SELECT file, 'FOED_DAG' AS col, row_nr, FOED_DAG::VARCHAR AS v FROM bef
        WHERE date_of(FOED_DAG) < DATE '1900-01-01' OR date_of(FOED_DAG) > getvariable('as_of')
    UNION ALL SELECT file, 'DATO_START', row_nr, DATO_START::VARCHAR FROM lpr_kontakter WHERE date_of(DATO_START) < DATE '1900-01-01'
    UNION ALL SELECT file, 'DATO_SLUT', row_nr, DATO_SLUT::VARCHAR FROM lpr_kontakter WHERE date_of(DATO_SLUT) < DATE '1900-01-01'
    UNION ALL SELECT file, 'DATO_START', row_nr, DATO_START::VARCHAR FROM lpr_procedurer WHERE date_of(DATO_START) < DATE '1900-01-01'
    UNION ALL SELECT file, 'EKSD', row_nr, EKSD::VARCHAR FROM lmdb WHERE date_of(EKSD) < DATE '1900-01-01'
    UNION ALL SELECT file, 'DODDATO', row_nr, DODDATO::VARCHAR FROM dod WHERE date_of(DODDATO) < DATE '1900-01-01'
    UNION ALL SELECT file, 'HAEND_DATO', row_nr, HAEND_DATO::VARCHAR FROM vnds WHERE date_of(HAEND_DATO) < DATE '1900-01-01'
)
SELECT 'date_range' AS rule, 'error' AS severity, file, col, count(*) AS rows, examples(row_nr, v) AS examples
FROM bad GROUP BY file, col;

-- rule: after_as_of
-- Events after the as-of date: a contact's start, a procedure, a redemption, a death, a migration.
WITH bad AS (
    SELECT file, 'DATO_START' AS col, row_nr, DATO_START::VARCHAR AS v FROM lpr_kontakter WHERE date_of(DATO_START) > getvariable('as_of')
    UNION ALL SELECT file, 'DATO_START', row_nr, DATO_START::VARCHAR FROM lpr_procedurer WHERE date_of(DATO_START) > getvariable('as_of')
    UNION ALL SELECT file, 'EKSD', row_nr, EKSD::VARCHAR FROM lmdb WHERE date_of(EKSD) > getvariable('as_of')
    UNION ALL SELECT file, 'DODDATO', row_nr, DODDATO::VARCHAR FROM dod WHERE date_of(DODDATO) > getvariable('as_of')
    UNION ALL SELECT file, 'HAEND_DATO', row_nr, HAEND_DATO::VARCHAR FROM vnds WHERE date_of(HAEND_DATO) > getvariable('as_of')
)
SELECT 'after_as_of' AS rule, 'warning' AS severity, file, col, count(*) AS rows, examples(row_nr, v) AS examples
FROM bad GROUP BY file, col;

-- rule: date_order
-- A contact that ends before it starts.
SELECT 'date_order' AS rule, 'error' AS severity, file, 'DATO_SLUT' AS col, count(*) AS rows,
       examples(row_nr, date_of(DATO_SLUT)) AS examples
FROM lpr_kontakter
WHERE date_of(DATO_SLUT) < date_of(DATO_START)
GROUP BY file;

-- rule: code_koen
SELECT 'code_koen' AS rule, 'error' AS severity, file, 'KOEN' AS col, count(*) AS rows, examples(row_nr, KOEN) AS examples
FROM bef WHERE breaks(KOEN, '[12]') GROUP BY file;

-- rule: code_kom
-- KOM that is none of the 98 municipalities and not 411 (which is kom_christianso).
SELECT 'code_kom' AS rule, 'error' AS severity, file, 'KOM' AS col, count(*) AS rows, examples(row_nr, KOM) AS examples
FROM bef
WHERE kom_of(KOM) IS NOT NULL AND kom_of(KOM) <> 411 AND NOT is_municipality(kom_of(KOM))
GROUP BY file;

-- rule: kom_christianso
SELECT 'kom_christianso' AS rule, 'warning' AS severity, file, 'KOM' AS col, count(*) AS rows, examples(row_nr, KOM) AS examples
FROM bef WHERE kom_of(KOM) = 411 GROUP BY file;

-- rule: code_ie_type
SELECT 'code_ie_type' AS rule, 'error' AS severity, file, 'IE_TYPE' AS col, count(*) AS rows, examples(row_nr, IE_TYPE) AS examples
FROM bef WHERE breaks(IE_TYPE, '[123]') GROUP BY file;

-- rule: code_hfaudd
SELECT 'code_hfaudd' AS rule, 'error' AS severity, file, 'HFAUDD' AS col, count(*) AS rows, examples(row_nr, HFAUDD) AS examples
FROM udda WHERE breaks(HFAUDD, '[0-9]{4}') GROUP BY file;

-- rule: code_icd10
-- SKS diagnosis codes: D, a letter, two digits, then letters or digits.
WITH bad AS (
    SELECT file, 'AKTIONSDIAGNOSE' AS col, row_nr, AKTIONSDIAGNOSE AS v FROM lpr_kontakter
        WHERE breaks(AKTIONSDIAGNOSE, 'D[A-Z][0-9]{2}[A-Z0-9]*')
    UNION ALL SELECT file, 'DIAGNOSEKODE', row_nr, DIAGNOSEKODE FROM lpr_diagnoser
        WHERE breaks(DIAGNOSEKODE, 'D[A-Z][0-9]{2}[A-Z0-9]*')
)
SELECT 'code_icd10' AS rule, 'error' AS severity, file, col, count(*) AS rows, examples(row_nr, v) AS examples
FROM bad GROUP BY file, col;

-- rule: code_atc
-- A10BK01 or a shorter level of it (A, A10, A10B, A10BK).
SELECT 'code_atc' AS rule, 'error' AS severity, file, 'ATC' AS col, count(*) AS rows, examples(row_nr, ATC) AS examples
FROM lmdb WHERE breaks(ATC, '[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?') GROUP BY file;

-- rule: code_procedure
SELECT 'code_procedure' AS rule, 'error' AS severity, file, 'PROCEDUREKODE' AS col, count(*) AS rows,
       examples(row_nr, PROCEDUREKODE) AS examples
FROM lpr_procedurer WHERE breaks(PROCEDUREKODE, '[A-Z][A-Z0-9]{2,9}') GROUP BY file;

-- rule: code_diagnosis_type
SELECT 'code_diagnosis_type' AS rule, 'warning' AS severity, file, 'DIAGNOSETYPE' AS col, count(*) AS rows,
       examples(row_nr, DIAGNOSETYPE) AS examples
FROM lpr_diagnoser WHERE breaks(DIAGNOSETYPE, '[AB]') GROUP BY file;

-- rule: code_socio13
SELECT 'code_socio13' AS rule, 'error' AS severity, file, 'SOCIO13' AS col, count(*) AS rows, examples(row_nr, SOCIO13) AS examples
FROM akm WHERE breaks(SOCIO13, '0|11[0-4]|120|13[1-59]|210|220|310|32[1-3]|330|410|420') GROUP BY file;

-- rule: code_priority
SELECT 'code_priority' AS rule, 'error' AS severity, file, 'PRIORITET' AS col, count(*) AS rows, examples(row_nr, PRIORITET) AS examples
FROM lpr_kontakter WHERE breaks(PRIORITET, 'ATA[13]') GROUP BY file;

-- rule: code_migration
SELECT 'code_migration' AS rule, 'error' AS severity, file, 'INDUD_KODE' AS col, count(*) AS rows, examples(row_nr, INDUD_KODE) AS examples
FROM vnds WHERE breaks(INDUD_KODE, '[IU]') GROUP BY file;

-- rule: key_contact
-- DW_EK_KONTAKT of diagnoses and procedures that no contact has (checked when the folder has
-- contacts at all).
WITH contacts AS (SELECT DISTINCT key_of(DW_EK_KONTAKT) AS k FROM lpr_kontakter WHERE key_of(DW_EK_KONTAKT) IS NOT NULL),
bad AS (
    SELECT file, row_nr, key_of(DW_EK_KONTAKT) AS k FROM lpr_diagnoser
    UNION ALL SELECT file, row_nr, key_of(DW_EK_KONTAKT) FROM lpr_procedurer
)
SELECT 'key_contact' AS rule, 'error' AS severity, file, 'DW_EK_KONTAKT' AS col, count(*) AS rows, examples(row_nr, k) AS examples
FROM bad ANTI JOIN contacts USING (k)
WHERE k IS NOT NULL AND EXISTS (SELECT 1 FROM files WHERE register = 'lpr_kontakter')
GROUP BY file;

-- rule: key_pnr
-- PNR of contacts, prescriptions and deaths in no bef year (a warning: newborns of the last
-- year, late immigrants, replaced numbers). Checked when the folder has bef at all.
WITH persons AS (SELECT DISTINCT as_text(PNR) AS p FROM bef WHERE PNR IS NOT NULL),
bad AS (
    SELECT file, row_nr, as_text(PNR) AS p FROM lpr_kontakter
    UNION ALL SELECT file, row_nr, as_text(PNR) FROM lmdb
    UNION ALL SELECT file, row_nr, as_text(PNR) FROM dod
)
SELECT 'key_pnr' AS rule, 'warning' AS severity, file, 'PNR' AS col, count(*) AS rows, examples(row_nr, p) AS examples
FROM bad ANTI JOIN persons USING (p)
WHERE p IS NOT NULL AND EXISTS (SELECT 1 FROM files WHERE register = 'bef')
GROUP BY file;

-- rule: contact_unique
-- A DW_EK_KONTAKT repeated among the contacts: a repeated key doubles its diagnoses and
-- procedures in any join. Counted as ulighed counts it: the rows that repeat a key already seen
-- (in the order of the files, then of the rows), so each is counted in the file where it repeats.
SELECT 'contact_unique' AS rule, 'error' AS severity, file, 'DW_EK_KONTAKT' AS col, count(*) AS rows,
       examples(row_nr, k) AS examples
FROM (
    SELECT file, row_nr, key_of(DW_EK_KONTAKT) AS k FROM lpr_kontakter WHERE key_of(DW_EK_KONTAKT) IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY key_of(DW_EK_KONTAKT) ORDER BY file, row_nr) > 1
)
GROUP BY file;
