create table counter (id int primary key, v int not null);
insert into counter (id, v) values (1, 0);
