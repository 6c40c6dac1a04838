"""Time-travel queries over a recorded timeline: state at T, answers, explain, diff, history."""
