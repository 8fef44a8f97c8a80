-- every key a user can type is scoped by its municipality.
--
-- a household id was global: a case worker in one municipality who typed another
-- municipality's household id changed that household. it is now the municipality's own.
--postgres: alter table household drop constraint household_pkey;
--postgres: alter table household add primary key (unit_code, id);
--sqlite: create table household_scoped (
--sqlite:     unit_code text not null references unit(code),
--sqlite:     id text not null,
--sqlite:     doc text not null,
--sqlite:     primary key (unit_code, id)
--sqlite: );
--sqlite: insert into household_scoped (unit_code, id, doc) select unit_code, id, doc from household;
--sqlite: drop table household;
--sqlite: alter table household_scoped rename to household;

-- a batch belongs to the municipality whose figures it holds; null for the nation's,
-- a county's or several municipalities' figures, which only a system administrator
-- imports.
alter table batch add column owner_unit text references unit(code);
create index batch_by_owner on batch (owner_unit);
