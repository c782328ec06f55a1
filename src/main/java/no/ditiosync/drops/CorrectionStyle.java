package no.ditiosync.drops;

/** How a target takes a change to a line it already holds. */
public enum CorrectionStyle {
    /** Visma, Tripletex: a line with the difference; a moved line is reversed and booked anew. */
    OFFSET,
    /** SAP: cancel the earlier document ({@code STOKZ = X}), then book a new document if hours remain. */
    CANCEL_AND_REBOOK,
    /** JDBC: the row is overwritten with the current truth, or marked cancelled. */
    CURRENT_TRUTH
}
