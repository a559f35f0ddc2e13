-- A job paused on a tool confirmation (docs/tools.md): it waits in requires_action until decided or past its deadline.
ALTER TYPE "JobStatus" ADD VALUE 'requires_action';
