//! The JSON of `GET /api/metrics/participation`: the read model's table,
//! each cell with the searches that list its records.

use hcs_read::metrics::{
    drill_down, Cell, DrillDown, GroupBy, MetricsQuery, Participation, TierChoice,
};
use serde::Serialize;
use utoipa::ToSchema;

/// The participation table as served.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipationTable {
    /// First year counted.
    pub from: Option<u16>,
    /// Grouping used.
    pub group_by: GroupBy,
    /// `[group, cell]` pairs in group order.
    pub rows: Vec<(String, DrilledCell)>,
    /// Tier counted.
    pub tier: TierChoice,
    /// Last year counted.
    pub to: Option<u16>,
    /// Every group together.
    pub total: DrilledCell,
}

/// One cell's measures and the searches behind them.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrilledCell {
    /// The measures (a)(b)(c), and with `records=true` the record ids.
    #[serde(flatten)]
    pub cell: Cell,
    /// `/api/…` searches that list exactly the cell's records.
    pub drill_down: DrillDown,
}

impl ParticipationTable {
    /// The table measured with `query`, each row's and the total's drill-downs added.
    pub fn new(table: Participation, query: &MetricsQuery) -> Self {
        ParticipationTable {
            from: table.from,
            group_by: table.group_by,
            rows: table
                .rows
                .into_iter()
                .map(|(group, cell)| {
                    let drill_down = drill_down(query, Some(&group));
                    (group, DrilledCell { cell, drill_down })
                })
                .collect(),
            tier: table.tier,
            to: table.to,
            total: DrilledCell {
                cell: table.total,
                drill_down: drill_down(query, None),
            },
        }
    }
}
