set terminal svg size 760,420 dynamic enhanced font 'sans,12' background '#ffffff'
set datafile missing '?'
set grid
set key top right
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#d62728' lw 2 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set output 'cost.en.svg'
set title 'Monthly cost against request rate (break-even)'
set xtics ("1" 1, "10" 10, "100" 100, "1,000" 1000, "10,000" 10000)
set ytics ("1" 1, "10" 10, "100" 100, "1,000" 1000, "10,000" 10000, "100,000" 100000)
set xlabel 'requests per second'
set ylabel 'USD per month'
set logscale x 10
set logscale y 10
set key top left
plot 'cost.dat' using 1:2 with lines ls 1 title 'Monolith', '' using 1:3 with lines ls 2 title 'Microservices', '' using 1:4 with lines ls 3 title 'Serverless (FaaS)'
