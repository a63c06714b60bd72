# The seeds' policy/data_product_policy.rego (docs: shared/seeds, 004), unchanged but for the
# indentation the extraction lost.
package datamesh.governance

# All data products must have an owner
deny[msg] {
    input.kind == "DataProduct"
    not input.metadata.owner
    msg := "Data product does not have an owner assigned"
}

# PII columns must have encryption configured
deny[msg] {
    input.kind == "DataProduct"
    field := input.spec.schema.fields[_]
    field.pii == true
    not field.encryption
    msg := sprintf("PII column '%s' does not have encryption configured", [field.name])
}

# SLA availability must be at least 99%
deny[msg] {
    input.kind == "DataProduct"
    availability := to_number(trim_suffix(input.spec.sla.availability, "%"))
    availability < 99.0
    msg := sprintf("SLA availability at %.1f%% is below minimum threshold (99%%)", [availability])
}

# Global identifier standard compliance
deny[msg] {
    input.kind == "DataProduct"
    input.spec.global_standards.id_format != "UUID v4"
    msg := "ID format does not match global standard (UUID v4)"
}

# Timestamps must be ISO 8601 UTC
deny[msg] {
    input.kind == "DataProduct"
    input.spec.global_standards.timestamp_format != "ISO 8601 UTC"
    msg := "Timestamp format does not match global standard (ISO 8601 UTC)"
}
