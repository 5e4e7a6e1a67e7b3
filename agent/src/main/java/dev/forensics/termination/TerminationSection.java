package dev.forensics.termination;

import dev.forensics.report.Section;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What termination capture watches right now: which signals report their sender, and how the end began if it has. */
final class TerminationSection implements Section {
    private final TerminationRecorder recorder;

    TerminationSection(TerminationRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public String title() {
        return "termination capture";
    }

    @Override
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        SignalCapture s = recorder.signals();
        for (int i = 0; s != null && i < SignalCapture.NAMES.length; i++) {
            out.add(s.state(i));
        }
        out.add("uncaught exceptions so far: " + recorder.uncaughtCount());
        Cause death = recorder.death();
        if (death != null) {
            out.add("ending: " + death.verdict());
            Verdict v = recorder.verdict();
            if (v != null) {
                out.add(v.next());
            }
        }
        return out;
    }

    @Override
    public Map<String, Object> data() {
        Map<String, Object> m = new LinkedHashMap<>();
        SignalCapture s = recorder.signals();
        List<Object> signals = new ArrayList<>();
        for (int i = 0; s != null && i < SignalCapture.NAMES.length; i++) {
            signals.add(s.state(i));
        }
        m.put("signals", signals);
        m.put("nativeSignalCapture", NativeSignals.available());
        m.put("uncaughtExceptions", recorder.uncaughtCount());
        Cause death = recorder.death();
        if (death != null) {
            m.put("verdict", death.verdict());
            Verdict v = recorder.verdict();
            m.put("next", v == null ? null : v.next());
            m.put("lastWords", recorder.lastWords().location());
        }
        return m;
    }
}
