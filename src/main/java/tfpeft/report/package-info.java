/**
 * {@code tfpeft report RUN}: a run directory as a self-contained HTML page with its plots as SVG
 * files beside it, for a person to look at. {@link tfpeft.report.RunRecord} reads what the run
 * wrote (config, metrics.jsonl, report.json, eval_*.json, the method's summary of its last
 * checkpoint) within fixed bounds and notes what is missing; {@link tfpeft.report.ReportPage}
 * lays out the sections; the plots are drawn by small SVG builders of our own
 * ({@link tfpeft.report.LinePlot}, {@link tfpeft.report.HeatMap},
 * {@link tfpeft.report.BarChart}, {@link tfpeft.report.SiteGrid}) so the page needs no script,
 * font or network. What each method family keeps is drawn by one small
 * {@link tfpeft.report.MethodPicture} per kind (Pear's plan, adapters, masks, prompts).
 */
package tfpeft.report;
