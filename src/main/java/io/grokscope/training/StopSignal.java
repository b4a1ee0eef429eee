package io.grokscope.training;

/** Asked between training steps whether the run should stop early (cancelled, lease lost, or shutting down). */
@FunctionalInterface
public interface StopSignal {

    boolean stopRequested();

    StopSignal NEVER = () -> false;
}
