//! The benchmarks' generated NHS Wales roster: family names in a Welsh staff
//! list's shape (the 20 commonest Welsh surnames Zipf-weighted, a share of
//! international staff, a long tail of rarer names), given names, employers
//! and departments, written as the CSV `indexer roster import` reads.
//! Shared by `roster` and `scale`.

#![allow(dead_code)] // each benchmark uses its own part

use std::fmt::Write as _;

/// The commonest surnames in Wales, most common first.
pub const WELSH: [&str; 20] = [
    "Jones",
    "Davies",
    "Williams",
    "Evans",
    "Thomas",
    "Roberts",
    "Hughes",
    "Lewis",
    "Morgan",
    "Griffiths",
    "Edwards",
    "James",
    "Owen",
    "Rees",
    "Jenkins",
    "Price",
    "Phillips",
    "Lloyd",
    "Morris",
    "Powell",
];
/// Common surnames of staff recruited from abroad, most common first.
pub const INTERNATIONAL: [&str; 10] = [
    "Wang", "Li", "Zhang", "Kumar", "Singh", "Patel", "Khan", "Ali", "Nguyen", "Kim",
];
/// Rarer surnames, each combined with a number-free suffix to make many.
pub const RARER: [&str; 40] = [
    "Pritchard",
    "Bevan",
    "Prosser",
    "Vaughan",
    "Meredith",
    "Gwilliam",
    "Parry",
    "Bowen",
    "Howells",
    "Watkins",
    "Llewellyn",
    "Pugh",
    "Bassett",
    "Harries",
    "Mathias",
    "Lougher",
    "Tudor",
    "Gethin",
    "Caddick",
    "Beynon",
    "Penry",
    "Rosser",
    "Prydderch",
    "Gower",
    "Kemeys",
    "Ifans",
    "Cadwaladr",
    "Madoc",
    "Trevithick",
    "Nash",
    "Eynon",
    "Gunter",
    "Awbrey",
    "Bodvel",
    "Crowther",
    "Dyfnallt",
    "Elias",
    "Frowen",
    "Garnon",
    "Hopcyn",
];
/// Given names.
pub const GIVEN: [&str; 30] = [
    "Sarah",
    "Rhian",
    "Gareth",
    "Sian",
    "David",
    "Catherine",
    "Owain",
    "Emma",
    "Rhys",
    "Helen",
    "Megan",
    "Dafydd",
    "Angharad",
    "Huw",
    "Ceri",
    "Mark",
    "Lowri",
    "Ioan",
    "Nia",
    "Carys",
    "Elin",
    "Geraint",
    "Bethan",
    "Aled",
    "Ffion",
    "Tomos",
    "Alun",
    "Mared",
    "Priya",
    "Wei",
];
/// Employers and one phrase of each that a byline prints.
pub const EMPLOYERS: [(&str, &str); 8] = [
    (
        "Cardiff and Vale University Health Board",
        "Cardiff and Vale University Health Board, Cardiff, UK",
    ),
    ("Public Health Wales", "Public Health Wales, Cardiff, UK"),
    (
        "Swansea Bay University Health Board",
        "Singleton Hospital, Swansea Bay University Health Board, Swansea, UK",
    ),
    (
        "Betsi Cadwaladr University Health Board",
        "Betsi Cadwaladr University Health Board, Bangor, UK",
    ),
    (
        "Aneurin Bevan University Health Board",
        "Aneurin Bevan University Health Board, Newport, UK",
    ),
    (
        "Cwm Taf Morgannwg University Health Board",
        "Cwm Taf Morgannwg University Health Board, Llantrisant, UK",
    ),
    (
        "Hywel Dda University Health Board",
        "Hywel Dda University Health Board, Carmarthen, UK",
    ),
    (
        "Velindre University NHS Trust",
        "Velindre Cancer Centre, Velindre University NHS Trust, Cardiff, UK",
    ),
];
/// Departments and the discipline of each.
pub const DEPARTMENTS: [(&str, &str); 4] = [
    ("Department of Medical Physics", "Medical physics"),
    ("Microbiology", "Microbiology"),
    ("Audiology Department", "Audiology"),
    (
        "All Wales Medical Genomics Service",
        "Clinical bioinformatics",
    ),
];

/// One generated roster person.
pub struct Person {
    /// Roster id.
    pub id: String,
    /// Family name.
    pub family: String,
    /// Given name.
    pub given: String,
    /// Middle initial, if any.
    pub middle: Option<char>,
    /// Index into [`EMPLOYERS`].
    pub employer: usize,
    /// Index into [`DEPARTMENTS`].
    pub department: usize,
}

impl Person {
    /// The initials a byline prints.
    pub fn initials(&self) -> String {
        let mut initials: String = self.given.chars().take(1).collect();
        initials.extend(self.middle);
        initials
    }

    /// The fore name a byline prints: given name and middle initial.
    pub fn fore_name(&self) -> String {
        match self.middle {
            Some(middle) => format!("{} {middle}", self.given),
            None => self.given.clone(),
        }
    }
}

/// `people` generated roster people, the same for the same generator state.
pub fn roster(people: usize, rng: &mut fastrand::Rng) -> Vec<Person> {
    (0..people)
        .map(|i| {
            let pick = rng.f64();
            // A Welsh roster: half the commonest surnames, a tenth international.
            let family = if pick < 0.5 {
                WELSH[zipf(rng, WELSH.len())].to_owned()
            } else if pick < 0.6 {
                INTERNATIONAL[zipf(rng, INTERNATIONAL.len())].to_owned()
            } else {
                let base = RARER[rng.usize(..RARER.len())];
                let suffix =
                    ["", "-Hughes", "son", "-Rees", "well", "ton", "-Price"][rng.usize(..7)];
                format!("{base}{suffix}{}", letters(i))
            };
            Person {
                id: format!("BENCH{i:05}"),
                family,
                given: GIVEN[rng.usize(..GIVEN.len())].to_owned(),
                middle: (rng.f64() < 0.3).then(|| (b'A' + rng.u8(..26)) as char),
                employer: rng.usize(..EMPLOYERS.len()),
                department: rng.usize(..DEPARTMENTS.len()),
            }
        })
        .collect()
}

/// A pronounceable tail that keeps a rarer surname rare.
pub fn letters(mut n: usize) -> String {
    const SYLLABLES: [&str; 8] = ["an", "el", "wy", "ro", "dd", "ith", "ys", "og"];
    let mut text = String::new();
    loop {
        text.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
        if n == 0 {
            return text;
        }
    }
}

/// An index skewed to the front, as surname frequencies are.
pub fn zipf(rng: &mut fastrand::Rng, n: usize) -> usize {
    let weights: Vec<f64> = (0..n).map(|r| 1.0 / (r as f64 + 1.0)).collect();
    let total: f64 = weights.iter().sum();
    let mut pick = rng.f64() * total;
    for (rank, weight) in weights.iter().enumerate() {
        if pick < *weight {
            return rank;
        }
        pick -= weight;
    }
    n - 1
}

/// The roster as the CSV `indexer roster import` reads.
pub fn roster_csv(people: &[Person]) -> String {
    let mut csv = String::from(
        "person_id,family,given,other_names,orcid,emails,organisation,department,job_title,discipline,registration,start_date,end_date\n",
    );
    for p in people {
        let _ = writeln!(
            csv,
            "{},{},{},,,,{},{},Clinical Scientist,{},,,",
            p.id,
            p.family,
            p.fore_name(),
            EMPLOYERS[p.employer].0,
            DEPARTMENTS[p.department].0,
            DEPARTMENTS[p.department].1
        );
    }
    csv
}
