//! The web UI's data product through a major change, as `accord` commands to run from the
//! repository root against a registry: two minors, the break announced and published (its
//! manifests have no notice period), and the next major announced. Shared by the browser tests
//! and the UI's benchmark (each includes this file by path).

pub const PRODUCT_THROUGH_A_MAJOR: [&[&str]; 5] = [
    &["product", "publish", "testdata/ui/orders-1.0.0.yaml"],
    &["product", "publish", "testdata/ui/orders-1.1.0.yaml"],
    &[
        "notice",
        "announce",
        "shop.orders",
        "--major",
        "2",
        "--summary",
        "amount becomes a decimal; the currency is required",
    ],
    &["product", "publish", "testdata/ui/orders-2.0.0.yaml"],
    &[
        "notice",
        "announce",
        "shop.orders",
        "--major",
        "3",
        "--summary",
        "orders split by channel",
    ],
];
