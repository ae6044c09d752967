-- Hand-written peer (DuckDB SQL) of ulighed's t2d_sglt2_glp1 analysis on 1 January of one year
-- (the runner t2d_duckdb.py runs it for each of the spec's trend years, 2023 and 2024).
-- Needs four variables (the runner sets them):
--   SET VARIABLE registers = '/path/to/registers';   -- folder of the register files
--   SET VARIABLE peers = '/path/to/peers';           -- folder holding kommune_region.csv
--   SET VARIABLE year = 2024;                        -- the index year
--   SET VARIABLE index_date = DATE '2024-01-01';     -- 1 January of it
-- Result: dimension, group, patients, with_outcome.

WITH
bef AS (
    SELECT PNR, KOEN, CAST(KOM AS INTEGER) AS KOM, IE_TYPE,
           -- completed years at 1 January of the index year
           getvariable('year') - year(FOED_DAG) - CASE WHEN month(FOED_DAG) * 100 + day(FOED_DAG) > 101 THEN 1 ELSE 0 END AS AGE
    FROM read_parquet(getvariable('registers') || '/bef' || getvariable('year') || '.parquet')
),
-- patient group: action diagnosis DE11* at a contact starting in [index - 730 days, index)
t2d AS (
    SELECT DISTINCT PNR
    FROM read_parquet(getvariable('registers') || '/lpr_kontakter.parquet')
    WHERE starts_with(AKTIONSDIAGNOSE, 'DE11')
      AND DATO_START >= getvariable('index_date') - INTERVAL 730 DAY
      AND DATO_START < getvariable('index_date')
),
deaths AS (
    SELECT PNR, DODDATO FROM read_parquet(getvariable('registers') || '/dod.parquet')
),
patients AS (
    SELECT b.*
    FROM t2d JOIN bef b USING (PNR)
    LEFT JOIN deaths d USING (PNR)
    WHERE b.AGE BETWEEN 18 AND 120
      AND (d.DODDATO IS NULL OR d.DODDATO >= getvariable('index_date'))   -- dying on the index day is kept
),
-- outcome: SGLT2 inhibitor (A10BK) or GLP-1 analogue (A10BJ) redeemed in days 0..364
outcome AS (
    SELECT DISTINCT PNR
    FROM read_parquet(getvariable('registers') || '/lmdb.parquet')
    WHERE (starts_with(ATC, 'A10BK') OR starts_with(ATC, 'A10BJ'))
      AND EKSD BETWEEN getvariable('index_date') AND getvariable('index_date') + INTERVAL 364 DAY
),
-- education: udda of the index year, HFAUDD -> H-group (education table) -> SEPLINE group
education AS (
    SELECT u.PNR,
           CASE WHEN CAST(substr(h.H, 2) AS INTEGER) IN (10, 15) THEN 'kort'
                WHEN CAST(substr(h.H, 2) AS INTEGER) IN (20, 30, 35) THEN 'mellem'
                WHEN CAST(substr(h.H, 2) AS INTEGER) BETWEEN 40 AND 80 THEN 'lang'
                ELSE 'uoplyst' END AS education
    FROM read_parquet(getvariable('registers') || '/udda' || getvariable('year') || '.parquet') u
    LEFT JOIN read_csv(getvariable('registers') || '/hfaudd_hgroup.csv', all_varchar = true) h USING (HFAUDD)
),
-- income: mean FAMAEKVIVADISP of the three years before the index year; type-7 quintile cut points
-- within sex x 5-year age group over the whole bef population of the index year; equal to a cut
-- point -> lower quintile
income AS (
    SELECT PNR, avg(FAMAEKVIVADISP) AS INCOME
    FROM read_parquet([getvariable('registers') || '/ind' || (getvariable('year') - 3) || '.parquet',
                       getvariable('registers') || '/ind' || (getvariable('year') - 2) || '.parquet',
                       getvariable('registers') || '/ind' || (getvariable('year') - 1) || '.parquet'])
    GROUP BY PNR
),
reference AS (
    SELECT b.PNR, b.KOEN, b.AGE // 5 AS AGE5, i.INCOME
    FROM bef b JOIN income i USING (PNR)
),
cuts AS (
    SELECT KOEN, AGE5, quantile_cont(INCOME, [0.2, 0.4, 0.6, 0.8]) AS Q
    FROM reference GROUP BY KOEN, AGE5
),
quintile AS (
    SELECT r.PNR,
           CAST(1 + (r.INCOME > c.Q[1])::INT + (r.INCOME > c.Q[2])::INT
                  + (r.INCOME > c.Q[3])::INT + (r.INCOME > c.Q[4])::INT AS VARCHAR) AS income_quintile
    FROM reference r LEFT JOIN cuts c USING (KOEN, AGE5)
),
-- region: the 98 municipalities (Christiansø 0411 is not one of ulighed's)
regions AS (
    SELECT CAST(KOM AS INTEGER) AS KOM, REGION AS region
    FROM read_csv(getvariable('peers') || '/kommune_region.csv', all_varchar = true)
    WHERE CAST(KOM AS INTEGER) <> 411
),
frame AS (
    SELECT coalesce(e.education, 'uoplyst') AS education,
           coalesce(q.income_quintile, 'uoplyst') AS income_quintile,
           coalesce(r.region, 'uoplyst') AS region,
           coalesce(p.KOEN, 'uoplyst') AS sex,
           CASE p.IE_TYPE WHEN '1' THEN 'dansk' WHEN '2' THEN 'indvandrer' WHEN '3' THEN 'efterkommer'
                ELSE 'uoplyst' END AS origin,
           CASE WHEN p.AGE >= 80 THEN '80+' WHEN p.AGE >= 65 THEN '65-79' WHEN p.AGE >= 45 THEN '45-64'
                WHEN p.AGE >= 18 THEN '18-44' ELSE 'uoplyst' END AS age_group,
           (o.PNR IS NOT NULL)::INT AS OUT
    FROM patients p
    LEFT JOIN outcome o USING (PNR)
    LEFT JOIN regions r USING (KOM)
    LEFT JOIN education e USING (PNR)
    LEFT JOIN quintile q USING (PNR)
),
long AS (
    UNPIVOT frame ON education, income_quintile, region, sex, origin, age_group
    INTO NAME dimension VALUE "group"
)
SELECT dimension, "group", count(*) AS patients, sum(OUT) AS with_outcome
FROM long GROUP BY dimension, "group"
UNION ALL
SELECT 'total', 'i alt', count(*), sum(OUT) FROM frame
ORDER BY dimension, "group";
