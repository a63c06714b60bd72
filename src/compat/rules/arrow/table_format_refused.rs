//! AR950 `table-format-refused`: with `--profile`, a change the target table format refuses even
//! though readers could cope. Reported as a refusal, not as a broken reading direction.

use arrow_schema::{DataType, Field, Fields};

use crate::compat::arrow_walk::{ArrowCheck, ArrowCx, TypeChange};
use crate::compat::catalog::declare_rule;
use crate::compat::{Bump, Directions};

declare_rule! {
    format: arrow,
    code: "AR950",
    name: "table-format-refused",
    summary: "With a target profile, a change the table format (Iceberg, Delta, BigQuery) refuses even though readers could cope.",
    may_break: Directions::NONE,
    bump: Bump::Major,
    checks: [
        ArrowCheck::TypePair(type_change),
        ArrowCheck::FieldAdded(field_added),
        ArrowCheck::FieldPair(nullability),
        ArrowCheck::FieldsPair(column_order),
    ],
}

fn type_change(cx: &mut ArrowCx, old: &DataType, new: &DataType, change: TypeChange) {
    let Some(profile) = cx.profile else {
        return;
    };
    if let Some(reason) = profile.refuses_type(old, new, change) {
        cx.refuse(
            &RULE,
            format!("{} refuses {old} to {new}: {reason}", profile.name()),
        );
    }
}

fn field_added(cx: &mut ArrowCx, field: &Field) {
    let Some(profile) = cx.profile else {
        return;
    };
    if !field.is_nullable() {
        cx.refuse(
            &RULE,
            format!(
                "{} cannot add the required column `{}` (Arrow carries no default to fill old rows with)",
                profile.name(),
                field.name()
            ),
        );
    }
}

fn nullability(cx: &mut ArrowCx, old: &Field, new: &Field) {
    let Some(profile) = cx.profile else {
        return;
    };
    if old.is_nullable() && !new.is_nullable() {
        cx.refuse(
            &RULE,
            format!("{} cannot make `{}` required", profile.name(), new.name()),
        );
    }
}

fn column_order(cx: &mut ArrowCx, _old: &Fields, new: &Fields, pairs: &[(usize, usize)]) {
    if cx.profile != Some(crate::compat::Profile::BigQuery) {
        return;
    }
    if pairs.windows(2).any(|w| w[0].0 > w[1].0) {
        cx.refuse(&RULE, "bigquery cannot reorder columns".to_string());
    }
    let last_kept = pairs.iter().map(|&(_, j)| j).max();
    let inserted = (0..new.len())
        .find(|j| !pairs.iter().any(|&(_, k)| k == *j) && last_kept.is_some_and(|last| *j < last));
    if let Some(j) = inserted {
        cx.refuse(
            &RULE,
            format!(
                "bigquery appends new columns at the end; `{}` was added before existing ones",
                new[j].name()
            ),
        );
    }
}
