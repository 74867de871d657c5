package tfpeft.report;

import java.util.List;

/**
 * The picture of what one method family keeps: each piece knows one kind of method state (as
 * the method's summary of the last checkpoint and the run's logs hold it) and draws it when the
 * run has it. Kept apart, one small class per kind, so that each can move to its method.
 */
interface MethodPicture {
  /** Draws into {@code page} when the run holds this kind of state; returns whether it did. */
  boolean draw(RunRecord run, Page page);

  /** The pictures the report knows, in the order it shows them. */
  static List<MethodPicture> all() {
    return List.of(new PearPlanPicture(), new AdapterPicture(), new MaskPicture(),
        new PromptPicture());
  }
}
