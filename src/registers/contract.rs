//! The register contract of `REGISTERS.md` as data: which registers exist, their columns, the
//! documented aliases, and the canonical type each column is read into.

/// The canonical type of a column after reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (person keys, codes).
    Text,
    /// A calendar date (ISO `YYYY-MM-DD` in CSV, a Date in Parquet/IPC).
    Date,
    /// A decimal number.
    Number,
    /// A municipality code, canonically an integer (101 or 0101 -> 101).
    Municipality,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Date => "a date (YYYY-MM-DD)",
            Kind::Number => "a number",
            Kind::Municipality => "a municipality code (3 or 4 digits)",
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

/// One register of the contract.
#[derive(Debug, Clone, Copy)]
pub struct RegisterSpec {
    pub name: &'static str,
    /// Yearly registers have one file per year (`bef2024`); event registers one file, or one per
    /// year that are read together.
    pub yearly: bool,
    pub columns: &'static [ColumnSpec],
    /// `PNR` is unique within one file (one year) of this register.
    pub unique_pnr: bool,
}

pub const BEF: RegisterSpec = RegisterSpec {
    name: "bef",
    yearly: true,
    unique_pnr: true,
    columns: &[
        col("PNR", Kind::Text),
        col("FOED_DAG", Kind::Date),
        col("KOEN", Kind::Text),
        col("KOM", Kind::Municipality),
        col("IE_TYPE", Kind::Text),
        optional("OPR_LAND", Kind::Text),
        optional("CIVST", Kind::Text),
    ],
};

pub const UDDA: RegisterSpec = RegisterSpec {
    name: "udda",
    yearly: true,
    unique_pnr: true,
    columns: &[col("PNR", Kind::Text), col("HFAUDD", Kind::Text)],
};

pub const IND: RegisterSpec = RegisterSpec {
    name: "ind",
    yearly: true,
    unique_pnr: true,
    columns: &[
        col("PNR", Kind::Text),
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
    yearly: false,
    unique_pnr: false,
    columns: &[
        col("DW_EK_KONTAKT", Kind::Text),
        col("PNR", Kind::Text),
        col("DATO_START", Kind::Date),
        col("DATO_SLUT", Kind::Date),
        col("KONTAKTTYPE", Kind::Text),
        col("SORENHED_ANS", Kind::Text),
        col("AKTIONSDIAGNOSE", Kind::Text),
    ],
};

pub const DIAGNOSES: RegisterSpec = RegisterSpec {
    name: "lpr_diagnoser",
    yearly: false,
    unique_pnr: false,
    columns: &[
        col("DW_EK_KONTAKT", Kind::Text),
        col("DIAGNOSEKODE", Kind::Text),
        col("DIAGNOSETYPE", Kind::Text),
        optional("SENERE_AFKRAEFTET", Kind::Text),
    ],
};

pub const PROCEDURES: RegisterSpec = RegisterSpec {
    name: "lpr_procedurer",
    yearly: false,
    unique_pnr: false,
    columns: &[
        col("DW_EK_KONTAKT", Kind::Text),
        col("PROCEDUREKODE", Kind::Text),
        col("DATO_START", Kind::Date),
    ],
};

pub const PRESCRIPTIONS: RegisterSpec = RegisterSpec {
    name: "lmdb",
    yearly: false,
    unique_pnr: false,
    columns: &[
        col("PNR", Kind::Text),
        col("EKSD", Kind::Date),
        col("ATC", Kind::Text),
        optional("APK", Kind::Number),
    ],
};

pub const DEATHS: RegisterSpec = RegisterSpec {
    name: "dod",
    yearly: false,
    unique_pnr: true,
    columns: &[
        col("PNR", Kind::Text),
        ColumnSpec {
            name: "DODDATO",
            aliases: &["D_DODSDTO"],
            kind: Kind::Date,
            required: true,
        },
    ],
};

/// Every register, in the order reports list them.
pub const ALL: [RegisterSpec; 8] = [
    BEF,
    UDDA,
    IND,
    CONTACTS,
    DIAGNOSES,
    PROCEDURES,
    PRESCRIPTIONS,
    DEATHS,
];

impl RegisterSpec {
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
