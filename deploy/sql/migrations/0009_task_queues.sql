-- RF-9: in promotion mode after-sales cases go to named queues (back-office,
-- verification, difficult cases, complaints) besides the shifts' general one.
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS queue text;
