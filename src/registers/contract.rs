//! The register contract of `docs/registers.md` as data: which registers exist, their columns, the
//! documented aliases, and the canonical type each column is read into.

/// The canonical type of a column after reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (codes, labels).
    Text,
    /// A person key (`PNR`): text in every file; read as an integer where the folder's
    /// validation found every key of the folder to be digits (see [`super::persons`]).
    Person,
    /// A contact key (`DW_EK_KONTAKT`): kept as the integer the file holds, since integer joins
    /// of contacts, diagnoses and procedures cost a fraction of string joins at national
    /// volumes; text where a file holds text (CSV, LPR2's prefixed `RECNUM`), and then all the
    /// folder's keys are compared as text (see [`super::keys::key_dtype`]).
    Key,
    /// A calendar date (ISO `YYYY-MM-DD` in CSV, a Date in Parquet/IPC).
    Date,
    /// A decimal number.
    Number,
    /// A municipality code, canonically an integer (101 or 0101 -> 101).
    Municipality,
    /// A time of day (LPR3's `TIDSPUNKT_START`), canonically the seconds since midnight: text
    /// `HH:MM` or `HH:MM:SS`, a SAS time value (seconds since midnight, as the SAS reader gives
    /// it), or a timestamp's time of day.
    Time,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Person => "a person key (text)",
            Kind::Key => "a contact key (an integer or text)",
            Kind::Date => "a date (YYYY-MM-DD)",
            Kind::Number => "a number",
            Kind::Municipality => "a municipality code (3 or 4 digits)",
            Kind::Time => "a time of day (HH:MM or HH:MM:SS, or SAS seconds since midnight)",
        }
    }
}

/// One column of a register.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub kind: Kind,
    pub required: bool,
}

const fn col(name: &'static str, kind: Kind) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases: &[],
        kind,
        required: true,
    }
}

const fn optional(name: &'static str, kind: Kind) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases: &[],
        kind,
        required: false,
    }
}

/// One register of the contract, or one table of another data model of the patient register
/// that is read into a register of the contract ([`super::models`]).
#[derive(Debug, Clone, Copy)]
pub struct RegisterSpec {
    pub name: &'static str,
    /// The register of the contract whose rows this file gives: its own name for the contract's
    /// registers, `lpr_kontakter` for LPR2's `lpr_adm`, and so on.
    pub feeds: &'static str,
    /// Other file names that stand for this register: the research servers' names such as
    /// `lpr_f_kontakter2022.sas7bdat` (the LPR3 "F" model).
    pub file_aliases: &'static [&'static str],
    /// Yearly registers have one file per year (`bef2024`); event registers one file, or one per
    /// year that are read together.
    pub yearly: bool,
    pub columns: &'static [ColumnSpec],
    /// `PNR` is unique within one file (one year) of this register.
    pub unique_pnr: bool,
}

pub const BEF: RegisterSpec = RegisterSpec {
    name: "bef",
    feeds: "bef",
    file_aliases: &[],
    yearly: true,
    unique_pnr: true,
    columns: &[
        col("PNR", Kind::Person),
        col("FOED_DAG", Kind::Date),
        col("KOEN", Kind::Text),
        col("KOM", Kind::Municipality),
        col("IE_TYPE", Kind::Text),
        optional("OPR_LAND", Kind::Text),
        optional("CIVST", Kind::Text),
        // The parents' person keys (CPR's references; empty where unknown).
        optional("MOR_ID", Kind::Person),
        optional("FAR_ID", Kind::Person),
        // The family's type (grouped by the user's family type table).
        optional("FAMILIE_TYPE", Kind::Text),
    ],
};

pub const UDDA: RegisterSpec = RegisterSpec {
    name: "udda",
    feeds: "udda",
    file_aliases: &[],
    yearly: true,
    unique_pnr: true,
    columns: &[col("PNR", Kind::Person), col("HFAUDD", Kind::Text)],
};

pub const IND: RegisterSpec = RegisterSpec {
    name: "ind",
    feeds: "ind",
    file_aliases: &[],
    yearly: true,
    unique_pnr: true,
    columns: &[
        col("PNR", Kind::Person),
        ColumnSpec {
            name: "FAMAEKVIVADISP",
            aliases: &["FAMAEKVIVADISP_13"],
            kind: Kind::Number,
            required: true,
        },
        optional("PERINDKIALT", Kind::Number),
    ],
};

pub const CONTACTS: RegisterSpec = RegisterSpec {
    name: "lpr_kontakter",
    feeds: "lpr_kontakter",
    file_aliases: &["lpr_f_kontakter"],
    yearly: false,
    unique_pnr: false,
    columns: &[
        col("DW_EK_KONTAKT", Kind::Key),
        col("PNR", Kind::Person),
        col("DATO_START", Kind::Date),
        col("DATO_SLUT", Kind::Date),
        col("KONTAKTTYPE", Kind::Text),
        col("SORENHED_ANS", Kind::Text),
        col("AKTIONSDIAGNOSE", Kind::Text),
        optional("PRIORITET", Kind::Text),
        optional("TIDSPUNKT_START", Kind::Time),
        optional("TIDSPUNKT_SLUT", Kind::Time),
    ],
};

pub const DIAGNOSES: RegisterSpec = RegisterSpec {
    name: "lpr_diagnoser",
    feeds: "lpr_diagnoser",
    file_aliases: &["lpr_f_diagnoser"],
    yearly: false,
    unique_pnr: false,
    columns: &[
        col("DW_EK_KONTAKT", Kind::Key),
        col("DIAGNOSEKODE", Kind::Text),
        col("DIAGNOSETYPE", Kind::Text),
        optional("SENERE_AFKRAEFTET", Kind::Text),
    ],
};

pub const PROCEDURES: RegisterSpec = RegisterSpec {
    name: "lpr_procedurer",
    feeds: "lpr_procedurer",
    file_aliases: &[
        "lpr_f_procedurer_kirurgi",
        "lpr_f_procedurer_andre",
        "lpr_f_procedurer",
    ],
    yearly: false,
    unique_pnr: false,
    columns: &[
        col("DW_EK_KONTAKT", Kind::Key),
        col("PROCEDUREKODE", Kind::Text),
        col("DATO_START", Kind::Date),
        optional("TIDSPUNKT_START", Kind::Time),
    ],
};

pub const PRESCRIPTIONS: RegisterSpec = RegisterSpec {
    name: "lmdb",
    feeds: "lmdb",
    file_aliases: &[],
    yearly: false,
    unique_pnr: false,
    columns: &[
        col("PNR", Kind::Person),
        col("EKSD", Kind::Date),
        col("ATC", Kind::Text),
        optional("APK", Kind::Number),
    ],
};

pub const DEATHS: RegisterSpec = RegisterSpec {
    name: "dod",
    feeds: "dod",
    file_aliases: &[],
    yearly: false,
    unique_pnr: true,
    columns: &[
        col("PNR", Kind::Person),
        ColumnSpec {
            name: "DODDATO",
            aliases: &["D_DODSDTO"],
            kind: Kind::Date,
            required: true,
        },
    ],
};

/// Migrations (Statistics Denmark's `VNDS`): one row per immigration (`INDUD_KODE` `I`) or
/// emigration (`U`) with its day. Optional: the population registers say who lived in Denmark
/// on each 1 January; this register says when a person came or left between them.
pub const MIGRATIONS: RegisterSpec = RegisterSpec {
    name: "vnds",
    feeds: "vnds",
    file_aliases: &[],
    yearly: false,
    unique_pnr: false,
    columns: &[
        col("PNR", Kind::Person),
        col("INDUD_KODE", Kind::Text),
        col("HAEND_DATO", Kind::Date),
    ],
};

/// Labour-market attachment (Statistics Denmark's `AKM`): each person's socio-economic status
/// of the year (`SOCIO13`, the main activity of the year as the labour-market accounts place
/// it). Optional: only the `labour_market` stratifier reads it.
pub const LABOUR_MARKET: RegisterSpec = RegisterSpec {
    name: "akm",
    feeds: "akm",
    file_aliases: &[],
    yearly: true,
    unique_pnr: true,
    columns: &[col("PNR", Kind::Person), col("SOCIO13", Kind::Text)],
};

/// Every register, in the order reports list them.
pub const ALL: [RegisterSpec; 10] = [
    BEF,
    UDDA,
    IND,
    CONTACTS,
    DIAGNOSES,
    PROCEDURES,
    PRESCRIPTIONS,
    DEATHS,
    MIGRATIONS,
    LABOUR_MARKET,
];

/// LPR2 (the patient register up to its change-over to LPR3 in February 2019): one row per
/// admission or outpatient course, keyed by `RECNUM` (Sundhedsdatastyrelsen, "Landspatientregisteret
/// LPR2", the research extracts' `LPR_ADM`). The responsible unit is the SHAK code of hospital
/// (`C_SGH`, 4 digits) and department (`C_AFD`).
pub const LPR2_ADM: RegisterSpec = RegisterSpec {
    name: "lpr_adm",
    feeds: "lpr_kontakter",
    file_aliases: &["t_adm"],
    unique_pnr: false,
    yearly: false,
    columns: &[
        col("RECNUM", Kind::Text),
        ColumnSpec {
            name: "PNR",
            aliases: &["V_CPR"],
            kind: Kind::Person,
            required: true,
        },
        col("D_INDDTO", Kind::Date),
        optional("D_UDDTO", Kind::Date),
        col("C_PATTYPE", Kind::Text),
        col("C_SGH", Kind::Text),
        optional("C_AFD", Kind::Text),
        col("C_ADIAG", Kind::Text),
        optional("C_INDM", Kind::Text),
        optional("V_INDTIME", Kind::Number),
        optional("V_UDTIME", Kind::Number),
    ],
};

/// LPR2's diagnoses (`LPR_DIAG`): `C_DIAGTYPE` A action, B secondary, G underlying disease,
/// C complication, H referral, M temporary, `+` supplementary code.
pub const LPR2_DIAG: RegisterSpec = RegisterSpec {
    name: "lpr_diag",
    feeds: "lpr_diagnoser",
    file_aliases: &["t_diag"],
    unique_pnr: false,
    yearly: false,
    columns: &[
        col("RECNUM", Kind::Text),
        col("C_DIAG", Kind::Text),
        col("C_DIAGTYPE", Kind::Text),
    ],
};

/// LPR2's procedures (`LPR_SKSOPR`, operations in SKS codes) with their date `D_ODTO`.
pub const LPR2_PROCEDURES: RegisterSpec = RegisterSpec {
    name: "lpr_sksopr",
    feeds: "lpr_procedurer",
    file_aliases: &["t_sksopr"],
    unique_pnr: false,
    yearly: false,
    columns: &[
        col("RECNUM", Kind::Text),
        col("C_OPR", Kind::Text),
        col("D_ODTO", Kind::Date),
    ],
};

/// The column of the LPR3 "A" model that says which reporting system a row came from
/// (`LPR2` rows are the old register converted; `LPR3` rows are the new one).
pub const REPORTING_SYSTEM: &str = "LPRINDBERETNINGSSYSTEM";

const fn reporting_system() -> ColumnSpec {
    ColumnSpec {
        name: REPORTING_SYSTEM,
        aliases: &["INDBERETNINGSSYSTEM", "KILDE"],
        kind: Kind::Text,
        required: true,
    }
}

/// The LPR3 "A" model's contacts: the contract's columns plus the reporting system.
pub const LPR3A_CONTACTS: RegisterSpec = RegisterSpec {
    name: "lpr_a_kontakt",
    feeds: "lpr_kontakter",
    file_aliases: &[],
    unique_pnr: false,
    yearly: false,
    columns: &[
        col("DW_EK_KONTAKT", Kind::Key),
        col("PNR", Kind::Person),
        col("DATO_START", Kind::Date),
        col("DATO_SLUT", Kind::Date),
        col("KONTAKTTYPE", Kind::Text),
        col("SORENHED_ANS", Kind::Text),
        col("AKTIONSDIAGNOSE", Kind::Text),
        optional("PRIORITET", Kind::Text),
        optional("TIDSPUNKT_START", Kind::Time),
        optional("TIDSPUNKT_SLUT", Kind::Time),
        reporting_system(),
    ],
};

/// The LPR3 "A" model's diagnoses.
pub const LPR3A_DIAGNOSES: RegisterSpec = RegisterSpec {
    name: "lpr_a_diagnose",
    feeds: "lpr_diagnoser",
    file_aliases: &[],
    unique_pnr: false,
    yearly: false,
    columns: &[
        col("DW_EK_KONTAKT", Kind::Key),
        col("DIAGNOSEKODE", Kind::Text),
        col("DIAGNOSETYPE", Kind::Text),
        optional("SENERE_AFKRAEFTET", Kind::Text),
        reporting_system(),
    ],
};

/// The LPR3 "A" model's procedures.
pub const LPR3A_PROCEDURES: RegisterSpec = RegisterSpec {
    name: "lpr_a_procedure",
    feeds: "lpr_procedurer",
    file_aliases: &["lpr_a_procedure_kirurgi", "lpr_a_procedure_andre"],
    unique_pnr: false,
    yearly: false,
    columns: &[
        col("DW_EK_KONTAKT", Kind::Key),
        col("PROCEDUREKODE", Kind::Text),
        col("DATO_START", Kind::Date),
        optional("TIDSPUNKT_START", Kind::Time),
        reporting_system(),
    ],
};

/// The tables of the patient register's other data models, read into the contract's
/// `lpr_kontakter`, `lpr_diagnoser` and `lpr_procedurer`.
pub const MODELS: [RegisterSpec; 6] = [
    LPR2_ADM,
    LPR2_DIAG,
    LPR2_PROCEDURES,
    LPR3A_CONTACTS,
    LPR3A_DIAGNOSES,
    LPR3A_PROCEDURES,
];

/// The contract's register of that name.
pub fn canonical(name: &str) -> Option<RegisterSpec> {
    ALL.iter().find(|s| s.name == name).copied()
}

impl RegisterSpec {
    /// The date of an event register's events (a contact's start, a redemption, a death): the
    /// first date column of a register that is not yearly. Events after a run's as-of date are
    /// cut off on it (a midway status run later on a fuller delivery sees the data as of its
    /// date); `None` for yearly registers and for diagnoses, which take their contact's date.
    pub fn event_date(&self) -> Option<&'static str> {
        if self.yearly {
            return None;
        }
        self.columns
            .iter()
            .find(|c| c.kind == Kind::Date)
            .map(|c| c.name)
    }

    /// The column spec that a file's column name stands for (case-insensitive, aliases
    /// included), if any.
    pub fn column_for(&self, file_column: &str) -> Option<&'static ColumnSpec> {
        self.columns.iter().find(|c| {
            c.name.eq_ignore_ascii_case(file_column)
                || c.aliases
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(file_column))
        })
    }
}
