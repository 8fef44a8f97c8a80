-- a person's household id as a column (it is also in the person's document), so that a
-- person's page finds the other members of the household by an index instead of reading
-- every person of the municipality.
alter table person add column household_id text;
--postgres: update person set household_id = nullif(cast(doc as jsonb) ->> 'household', '');
--sqlite: update person set household_id = nullif(json_extract(doc, '$.household'), '');
create index person_by_household on person (unit_code, household_id);
