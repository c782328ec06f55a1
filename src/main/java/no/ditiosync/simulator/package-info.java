/**
 * The built-in Ditio simulator: a loopback HTTP server that speaks the Data Extraction API of
 * {@code docs/ditio-contract.md}, with a realistic Norwegian construction company generated
 * deterministically from a seed and a size.
 *
 * <ul>
 *   <li>{@link no.ditiosync.simulator.SimulatedDitio} — start/stop, bases, counters;</li>
 *   <li>{@link no.ditiosync.simulator.DitioDataset} — the live data, test oracles and mutations;</li>
 *   <li>{@link no.ditiosync.simulator.SimulatorFaults} — faults on demand;</li>
 *   <li>{@link no.ditiosync.simulator.SimulatorCommand} — the standalone command and {@code /_sim/mutate}.</li>
 * </ul>
 *
 * <p>Inside: {@code DatasetGenerator} makes the data; {@code RecordTable} keeps each feed in the
 * two paging orders (work day + id for full passes, modification second for incremental ones);
 * {@code PageQuery} validates parameters; {@code ContinuationTokens} encodes positions;
 * {@code PageWriter} streams pages with Jackson's generator.
 */
package no.ditiosync.simulator;
